/**
 * Parser benchmark (issue 3): a 100k-result SARIF report against `JSON.parse` of the same text
 * (target: within 3×), and a 50 MB Dependency-Check XML report against fast-xml-parser's plain
 * parse of the same text. Issue 16 item 5 adds hostile reports with one 8 MB value (a ZAP
 * description in XML, a SARIF message), against the same floors, with the RSS growth of one
 * parse of each. Run by `npm run bench` after the import / reimport table, or alone with
 * `node --import tsx --expose-gc scripts/bench-parse.ts`. Reports are generated
 * deterministically in memory.
 */
import { performance } from 'node:perf_hooks';
import { XMLParser } from 'fast-xml-parser';
import { MAX_FIELD_LENGTH, parseReport } from '../src/parsers';

const SARIF_RESULTS = Number(process.env.BENCH_SARIF_RESULTS ?? 100_000);
const XML_TARGET_BYTES = Number(process.env.BENCH_XML_MB ?? 50) * 1024 * 1024;
const SARIF_TARGET_RATIO = 3;
const HUGE_FIELD_BYTES = 8 * 1024 * 1024;

function sarifText(n: number): string {
  const rules = Array.from({ length: 50 }, (_, r) => ({
    id: `rule-${r}`,
    name: `Rule${r}`,
    shortDescription: { text: `Rule ${r} finds a problem` },
    helpUri: `https://example.invalid/rules/${r}`,
    properties: { tags: ['security', `external/cwe/cwe-${79 + r}`], 'security-severity': String((r % 10) + 0.5) },
  }));
  const results = Array.from({ length: n }, (_, i) => ({
    ruleId: `rule-${i % 50}`,
    level: i % 3 === 0 ? 'error' : 'warning',
    message: { text: `Problem ${i} in generated code: value flows from input to sink` },
    locations: [{ physicalLocation: { artifactLocation: { uri: `src/module${i % 500}/file${i % 37}.js` }, region: { startLine: (i % 900) + 1, startColumn: 5, endColumn: 40, snippet: { text: `const v${i} = sink(input${i});` } } } }],
    partialFingerprints: { primaryLocationLineHash: `${(i * 2654435761) >>> 0}:1` },
  }));
  return JSON.stringify({ version: '2.1.0', runs: [{ tool: { driver: { name: 'BenchTool', version: '1.0.0', rules } }, results }] });
}

function dependencyCheckText(targetBytes: number): string {
  const parts: string[] = ['<?xml version="1.0"?>\n<analysis xmlns="https://jeremylong.github.io/DependencyCheck/dependency-check.2.5.xsd"><scanInfo><engineVersion>9.0.0</engineVersion></scanInfo><projectInfo><name>bench</name></projectInfo><dependencies>'];
  let size = parts[0].length;
  for (let d = 0; size < targetBytes; d++) {
    const vulns: string[] = [];
    for (let v = 0; v < 5; v++) {
      vulns.push(`<vulnerability source="NVD"><name>CVE-2024-${10000 + ((d * 5 + v) % 90000)}</name><severity>HIGH</severity><cvssV3><baseScore>7.5</baseScore><attackVector>NETWORK</attackVector><baseSeverity>HIGH</baseSeverity></cvssV3><cwes><cwe>CWE-${20 + v}</cwe></cwes><description>Generated vulnerability ${v} of dependency ${d}, described at some length so the report has a realistic size for its number of entries.</description><references><reference><source>MISC</source><url>https://example.invalid/${d}/${v}</url><name>advisory</name></reference></references></vulnerability>`);
    }
    const dep = `<dependency isVirtual="false"><fileName>lib${d}-1.${d % 10}.jar</fileName><filePath>/app/lib/lib${d}-1.${d % 10}.jar</filePath><md5>0</md5><sha1>0</sha1><identifiers><package confidence="HIGH"><id>pkg:maven/org.example/lib${d}@1.${d % 10}</id></package></identifiers><vulnerabilities>${vulns.join('')}</vulnerabilities></dependency>`;
    parts.push(dep);
    size += dep.length;
  }
  parts.push('</dependencies></analysis>\n');
  return parts.join('');
}

/** A ZAP report whose first alert has an 8 MB description of plain words. */
function zapWithHugeDescription(bytes: number): string {
  const unit = 'lorem ipsum dolor sit amet, consectetur adipiscing elit. ';
  const desc = unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes);
  return `<?xml version="1.0"?>\n<OWASPZAPReport programName="ZAP" version="2.14.0"><site name="http://localhost" host="localhost" port="80" ssl="false"><alerts><alertitem><pluginid>10038</pluginid><alert>Big alert</alert><riskcode>2</riskcode><desc>${desc}</desc><cweid>693</cweid></alertitem><alertitem><pluginid>10039</pluginid><alert>Small alert</alert><riskcode>1</riskcode><desc>&lt;p&gt;small&lt;/p&gt;</desc><cweid>-1</cweid></alertitem></alerts></site></OWASPZAPReport>\n`;
}

/** A SARIF report whose first result has an 8 MB message. */
function sarifWithHugeMessage(bytes: number): string {
  const unit = 'lorem ipsum dolor sit amet, consectetur adipiscing elit. ';
  const message = unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes);
  const result = (text: string, line: number) => ({ ruleId: 'r1', level: 'error', message: { text }, locations: [{ physicalLocation: { artifactLocation: { uri: 'src/a.js' }, region: { startLine: line } } }] });
  return JSON.stringify({ version: '2.1.0', runs: [{ tool: { driver: { name: 'T', version: '1', rules: [{ id: 'r1', shortDescription: { text: 'rule' } }] } }, results: [result(message, 3), result('small', 4)] }] });
}

/**
 * How much the resident set grew over one parse. The parse is synchronous, so nothing can
 * sample during it; V8 keeps the pages it grew into until a later collection shrinks the heap,
 * so the growth just after the call is close to the parse's peak (and never above it).
 */
function rssGrowth(fn: () => unknown): number {
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage().rss;
  fn();
  return Math.max(0, process.memoryUsage().rss - before);
}

function best(fn: () => unknown, runs = 5): number {
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    const t0 = performance.now();
    fn();
    min = Math.min(min, performance.now() - t0);
  }
  return min;
}

function main(): void {
  const sarif = sarifText(SARIF_RESULTS);
  const floorSarif = best(() => JSON.parse(sarif));
  let sarifFindings = 0;
  const sarifMs = best(() => {
    sarifFindings = parseReport(sarif, { fileName: 'bench.sarif', scanType: 'SARIF' }).findings.length;
  });
  const xml = dependencyCheckText(XML_TARGET_BYTES);
  const floorXml = best(() => new XMLParser({ ignoreAttributes: false, processEntities: false }).parse(xml), 1);
  let xmlFindings = 0;
  const xmlMs = best(() => {
    xmlFindings = parseReport(xml, { fileName: 'dependency-check-report.xml', scanType: 'Dependency Check Scan' }).findings.length;
  }, 1);
  const hugeXml = zapWithHugeDescription(HUGE_FIELD_BYTES);
  const floorHugeXml = best(() => new XMLParser({ ignoreAttributes: false, processEntities: false }).parse(hugeXml), 3);
  const hugeXmlMs = best(() => parseReport(hugeXml, { fileName: 'zap-report.xml' }), 3);
  const hugeXmlRss = rssGrowth(() => parseReport(hugeXml, { fileName: 'zap-report.xml' }));
  const hugeSarif = sarifWithHugeMessage(HUGE_FIELD_BYTES);
  const floorHugeSarif = best(() => JSON.parse(hugeSarif), 3);
  const hugeSarifMs = best(() => parseReport(hugeSarif, { fileName: 'bench.sarif' }), 3);
  const hugeSarifRss = rssGrowth(() => parseReport(hugeSarif, { fileName: 'bench.sarif' }));
  const mb = (s: string) => (Buffer.byteLength(s) / 1024 / 1024).toFixed(1);
  const rssMb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
  const sarifRatio = sarifMs / floorSarif;
  const lines = [
    '',
    '| report | size | findings | parse | floor | × floor |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    `| SARIF, ${SARIF_RESULTS.toLocaleString('en-US')} results | ${mb(sarif)} MB | ${sarifFindings.toLocaleString('en-US')} | ${sarifMs.toFixed(0)} ms | ${floorSarif.toFixed(0)} ms (JSON.parse) | ${sarifRatio.toFixed(2)}× |`,
    `| Dependency-Check XML | ${mb(xml)} MB | ${xmlFindings.toLocaleString('en-US')} | ${xmlMs.toFixed(0)} ms | ${floorXml.toFixed(0)} ms (fast-xml-parser) | ${(xmlMs / floorXml).toFixed(2)}× |`,
    `| 8 MB field in XML (ZAP description) | ${mb(hugeXml)} MB | 2 | ${hugeXmlMs.toFixed(0)} ms | ${floorHugeXml.toFixed(0)} ms (fast-xml-parser) | ${(hugeXmlMs / floorHugeXml).toFixed(2)}× |`,
    `| 8 MB field in SARIF (result message) | ${mb(hugeSarif)} MB | 2 | ${hugeSarifMs.toFixed(0)} ms | ${floorHugeSarif.toFixed(0)} ms (JSON.parse) | ${(hugeSarifMs / floorHugeSarif).toFixed(2)}× |`,
    '',
    `RSS growth while parsing: 8 MB field in XML ${rssMb(hugeXmlRss)}, in SARIF ${rssMb(hugeSarifRss)} (each value is cut to ${MAX_FIELD_LENGTH.toLocaleString('en-US')} characters).`,
    '',
    `SARIF target: within ${SARIF_TARGET_RATIO}× of JSON.parse: ${sarifRatio <= SARIF_TARGET_RATIO ? 'met' : 'NOT met'}.`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main();
