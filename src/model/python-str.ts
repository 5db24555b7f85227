/**
 * Python's `str()` of a field value. DefectDojo's parsers print values into descriptions with
 * it and its hash codes concatenate it, so the parsers and the engine must render a value the
 * same way: null as the four characters `None`, booleans as `True` / `False`, numbers in
 * decimal. It lives in the model because both layers need it and neither may import the other.
 */
export function pythonStr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  return String(value);
}
