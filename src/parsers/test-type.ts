/**
 * DefectDojo's Test_Type naming for parsers with `get_tests` (§3.2): the first internal test's
 * type string `T` decides the name the Test is filed under, and that name selects the
 * deduplication configuration, so it has to match DefectDojo's character for character.
 */
export function testTypeName(reportType: string | null | undefined, scanType: string): string {
  const type = reportType ?? '';
  if (type === '' || type === scanType) return scanType;
  if (type.endsWith(` (${scanType})`)) return type;
  if (`${type} Scan` === scanType) return scanType;
  return `${type} Scan (${scanType})`;
}
