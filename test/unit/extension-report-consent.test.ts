import { strict as assert } from 'node:assert';
import {
  type ConsentAnswer,
  consentFromAnswer,
  consentQuestion,
  type ConsentPrompt,
  decideSweep,
  type FoundReport,
  readConsent,
  type ReportConsent,
  sweepImports,
  writeImports,
} from '../../src/extension/report-consent-model';

/** A prompt that records what it was asked and answers as told. */
function prompt(answer: ConsentAnswer | undefined, chosen?: readonly string[]): ConsentPrompt & { asked: { question: string; reports: readonly string[] }[]; offered: (readonly string[])[] } {
  const asked: { question: string; reports: readonly string[] }[] = [];
  const offered: (readonly string[])[] = [];
  return {
    asked,
    offered,
    ask: (question, reports) => {
      asked.push({ question, reports });
      return Promise.resolve(answer);
    },
    choose: (reports) => {
      offered.push(reports);
      return Promise.resolve(chosen);
    },
  };
}

const ANSWERED_AT = Date.UTC(2026, 11, 1);
const BEFORE = ANSWERED_AT - 86_400_000;
const AFTER = ANSWERED_AT + 60_000;

function report(relPath: string, mtimeMs = BEFORE, imported = false): FoundReport {
  return { relPath, mtimeMs, imported };
}

describe('extension first-run consent (issue 11)', () => {
  const found = [report('bandit-report.json'), report('docs/samples/zap.xml'), report('legacy/findings.json')];

  it('asks once, naming how many reports nobody chose, before the sweep imports any of them', async () => {
    const p = prompt(undefined);
    const decision = await decideSweep(found, undefined, 'django', p, ANSWERED_AT);
    assert.equal(p.asked.length, 1);
    assert.equal(p.asked[0].question, consentQuestion(3, 'django'));
    assert.match(p.asked[0].question, /found 3 scanner reports in django/);
    assert.deepEqual(p.asked[0].reports, ['bandit-report.json', 'docs/samples/zap.xml', 'legacy/findings.json']);
    assert.deepEqual(decision.importNow, [], 'a dismissed question imports nothing');
    assert.equal(decision.remember, undefined, 'and remembers nothing, so it is asked again next time');
    assert.equal(consentQuestion(1, 'app'), 'Scan Ledger found a scanner report in app that no scanLedger.watch setting names. Import all, choose…, only new ones (written from now on), or never?');
  });

  it('does not ask when every report found was imported before, and keeps reimporting those', async () => {
    const p = prompt('never');
    const decision = await decideSweep([report('bandit-report.json', BEFORE, true)], undefined, 'django', p, ANSWERED_AT);
    assert.equal(p.asked.length, 0);
    assert.deepEqual(decision.importNow, ['bandit-report.json']);
  });

  it('"All" imports every report found now and every report written later', async () => {
    const decision = await decideSweep(found, undefined, 'django', prompt('all'), ANSWERED_AT);
    assert.deepEqual(decision.importNow, found.map((r) => r.relPath));
    assert.equal(decision.remember?.choice, 'all');
    assert.equal(writeImports('new/semgrep.json', decision.remember), true);
  });

  it('"Choose…" offers a multi-select of the reports, imports the picked ones and never the others', async () => {
    const p = prompt('choose', ['bandit-report.json']);
    const decision = await decideSweep(found, undefined, 'django', p, ANSWERED_AT);
    assert.deepEqual(p.offered, [['bandit-report.json', 'docs/samples/zap.xml', 'legacy/findings.json']]);
    assert.deepEqual(decision.importNow, ['bandit-report.json']);
    const consent = decision.remember;
    assert.deepEqual(consent, { choice: 'chosen', answeredAt: ANSWERED_AT, chosen: ['bandit-report.json'], declined: ['docs/samples/zap.xml', 'legacy/findings.json'] });
    assert.equal(writeImports('bandit-report.json', consent), true, 'the chosen report is reimported when bandit rewrites it');
    assert.equal(writeImports('docs/samples/zap.xml', consent), false, 'a report not chosen stays out, even when written');
    assert.equal(writeImports('out/trivy.json', consent), true, 'a report that did not exist then is a scanner’s new output');
    // The next start: the chosen report (imported since) and a new one are swept, the rest not.
    const later = [report('bandit-report.json', AFTER, true), report('docs/samples/zap.xml', AFTER), report('out/trivy.json', AFTER)];
    assert.deepEqual(
      later.filter((r) => sweepImports(r, consent)).map((r) => r.relPath),
      ['bandit-report.json', 'out/trivy.json'],
    );
  });

  it('a cancelled "Choose…" imports nothing and remembers nothing', async () => {
    const decision = await decideSweep(found, undefined, 'django', prompt('choose', undefined), ANSWERED_AT);
    assert.deepEqual(decision.importNow, []);
    assert.equal(decision.remember, undefined);
  });

  it('"Only New Ones" imports none of the reports found, and any report written after the answer', async () => {
    const decision = await decideSweep(found, undefined, 'django', prompt('onlyNew'), ANSWERED_AT);
    assert.deepEqual(decision.importNow, []);
    const consent = decision.remember;
    assert.equal(consent?.choice, 'onlyNew');
    assert.equal(writeImports('bandit-report.json', consent), true, 'bandit rewriting its report is a new report');
    // Next start: a report rewritten while the editor was closed is new; an untouched sample is not.
    assert.equal(sweepImports(report('bandit-report.json', AFTER), consent), true);
    assert.equal(sweepImports(report('docs/samples/zap.xml', BEFORE), consent), false);
  });

  it('"Never" imports nothing found by the default patterns, neither now nor when written', async () => {
    const decision = await decideSweep([...found, report('old.sarif', BEFORE, true)], undefined, 'django', prompt('never'), ANSWERED_AT);
    assert.deepEqual(decision.importNow, []);
    const consent = decision.remember;
    assert.equal(writeImports('bandit-report.json', consent), false);
    assert.equal(sweepImports(report('bandit-report.json', AFTER, true), consent), false);
  });

  it('a remembered answer is not asked again', async () => {
    const consent: ReportConsent = consentFromAnswer('all', ['a.sarif'], [], ANSWERED_AT);
    const p = prompt('never');
    const decision = await decideSweep([report('a.sarif'), report('b.sarif', AFTER)], consent, 'app', p, AFTER);
    assert.equal(p.asked.length, 0);
    assert.deepEqual(decision.importNow, ['a.sarif', 'b.sarif']);
    assert.equal(decision.remember, undefined);
  });

  it('reads back only a well-formed remembered answer (workspace state may hold an older shape)', () => {
    const consent = consentFromAnswer('choose', ['a.sarif', 'b.sarif'], ['b.sarif', 'c.sarif'], ANSWERED_AT);
    assert.deepEqual(consent.chosen, ['b.sarif'], 'only reports that were offered can be chosen');
    assert.deepEqual(readConsent(JSON.parse(JSON.stringify(consent))), consent);
    assert.equal(readConsent({ choice: 'some', answeredAt: 1, chosen: [], declined: [] }), undefined);
    assert.equal(readConsent({ choice: 'all', answeredAt: '1', chosen: [], declined: [] }), undefined);
    assert.equal(readConsent('all'), undefined);
    assert.equal(readConsent(undefined), undefined);
  });
});
