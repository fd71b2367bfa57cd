#!/usr/bin/env node
// Headless-Chromium check of the migration web console.
//
//   CONSOLE_TOKEN=<token> node console-check.mjs <baseUrl> <screenshotPath>
//
// Opens the console, which asks for its token first (the token comes from the environment, not the command
// line, so that it does not show in a process list), enters it, waits until the page has rendered the summary
// tiles, the failures table, the coverage calendar and the stage table, reads them, takes a (full page)
// screenshot, then replays the first failure row (if any) and waits until its count drops or the row
// disappears, downloads the CSV report through its button, and finally starts a control pass with its button and
// waits until the control card shows that pass finished. Prints ONE JSON line on stdout:
//   {"tiles":{...},"failures":[{stage,category,count}],"calendar":{"cells":n,"studies":n},
//    "stages":[{stage,paused,lag,eta,waits}],"replayed":{stage,category,countBefore}|null,"failuresAfter":[...],
//    "signInShown":true,"report":{"name":"report.csv","lines":n},
//    "control":{trigger,finishedAt,new,changed,vanished,unmigrated,clean,text}}
// Exits 1 with a message on stderr on any failure: a timeout, a tile that is not a plain integer, a console error
// or uncaught exception logged by the page, or the page's #error banner becoming visible (the screenshot is then
// taken of the failing page, best effort). Exit 2: bad usage.
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const LOAD_TIMEOUT_MS = 30_000;
const REPLAY_TIMEOUT_MS = 60_000;
const REPORT_TIMEOUT_MS = 90_000;
const CONTROL_TIMEOUT_MS = 60_000;
const HARD_TIMEOUT_MS = 240_000;

// tile JSON key -> element id
const TILES = {
  totalStudies: 'total-studies',
  verifiedStudies: 'verified-studies',
  failedStudies: 'failed-studies',
  inProgressStudies: 'in-progress-studies',
  deadLetterTotal: 'dead-letter-total',
  instancesExpected: 'instances-expected',
  instancesSent: 'instances-sent',
  instancesConfirmed: 'instances-confirmed',
};

class CheckError extends Error {}

function fail(message) {
  throw new CheckError(message);
}

// Installed before any page script: remembers the first time #error is visible (it may be hidden again later).
function watchErrorBanner() {
  window.__consoleCheck = { errorShown: null };
  const watch = () => {
    const banner = document.getElementById('error');
    if (!banner) return;
    const check = () => {
      if (!banner.hidden && getComputedStyle(banner).display !== 'none' && window.__consoleCheck.errorShown === null) {
        window.__consoleCheck.errorShown = (banner.innerText || banner.textContent || '').trim() || '(empty banner)';
      }
    };
    new MutationObserver(check).observe(banner, { attributes: true, childList: true, subtree: true, characterData: true });
    check();
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', watch);
  else watch();
}

// Evaluated in the page: true when the first render is complete, or a string when the error banner shows.
function pageReady() {
  if (window.__consoleCheck && window.__consoleCheck.errorShown !== null) return 'error';
  const total = document.getElementById('total-studies');
  const loaded = (id) => document.getElementById(id)?.dataset.loaded === 'true';
  const chart = document.getElementById('chart-progress');
  return !!total && /^\d+$/.test(total.textContent.trim())
    && loaded('failures-table') && loaded('calendar') && loaded('stages-table')
    && !!chart && chart.childElementCount > 0;
}

// Evaluated in the page: everything the check reports.
function readPage(tileIds) {
  const tiles = {};
  for (const [key, id] of Object.entries(tileIds)) {
    const node = document.getElementById(id);
    tiles[key] = node ? node.textContent.trim() : null;
  }
  const failures = [...document.querySelectorAll('tr.failure-row')].map((row) => ({
    stage: row.dataset.stage,
    category: row.dataset.category,
    count: row.dataset.count,
    countCell: row.querySelector('td.count')?.textContent.trim() ?? null,
    hasButton: !!row.querySelector('button.replay'),
  }));
  const cells = [...document.querySelectorAll('#calendar [data-day]')];
  const stages = [...document.querySelectorAll('tr[data-stage]')]
    .filter((row) => row.closest('#stages-table'))
    .map((row) => ({ stage: row.dataset.stage, paused: row.dataset.paused, lag: row.dataset.lag,
      eta: row.dataset.eta, waits: row.dataset.waits, etaCell: row.querySelector('td.stage-eta')?.textContent.trim() ?? null }));
  return {
    tiles,
    failures,
    calendar: { cells: cells.length, studies: cells.map((c) => c.dataset.studies) },
    stages,
    errorShown: window.__consoleCheck ? window.__consoleCheck.errorShown : null,
  };
}

function integer(value, what, signed = false) {
  const text = String(value ?? '').trim();
  if (!(signed ? /^-?\d+$/ : /^\d+$/).test(text)) fail(`${what} is not a plain integer: ${JSON.stringify(value)}`);
  return Number(text);
}

function normalise(raw) {
  const tiles = {};
  for (const [key, text] of Object.entries(raw.tiles)) tiles[key] = integer(text, `tile #${TILES[key]}`);
  const failures = raw.failures.map((f, i) => {
    if (!f.stage || !f.category) fail(`failure row ${i} lacks data-stage or data-category`);
    const count = integer(f.count, `data-count of failure row ${f.stage}/${f.category}`);
    if (integer(f.countCell, `count cell of failure row ${f.stage}/${f.category}`) !== count) {
      fail(`failure row ${f.stage}/${f.category}: data-count ${count} but the count cell shows ${f.countCell}`);
    }
    if (!f.hasButton) fail(`failure row ${f.stage}/${f.category} has no button.replay`);
    return { stage: f.stage, category: f.category, count };
  });
  const studies = raw.calendar.studies.reduce((sum, s, i) => sum + integer(s, `data-studies of calendar cell ${i}`), 0);
  const stages = raw.stages.map((s) => {
    if (!s.stage) fail('a stage row lacks data-stage');
    if (s.paused !== 'true' && s.paused !== 'false') fail(`stage ${s.stage}: data-paused is ${JSON.stringify(s.paused)}`);
    // lag -1: unknown (the API's value for the index stage, or when Kafka cannot be asked)
    if (!s.eta || s.etaCell !== s.eta) fail(`stage ${s.stage}: data-eta ${JSON.stringify(s.eta)} but the ETA cell shows ${JSON.stringify(s.etaCell)}`);
    return { stage: s.stage, paused: s.paused === 'true', lag: integer(s.lag, `data-lag of stage ${s.stage}`, true),
      eta: s.eta, waits: s.waits };
  });
  return { tiles, failures, calendar: { cells: raw.calendar.cells, studies }, stages };
}

async function run(baseUrl, screenshotPath, token) {
  const problems = [];
  let closing = false;
  let problemSeen;
  const problem = new Promise((resolve, reject) => { problemSeen = reject; });
  problem.catch(() => {});
  const addProblem = (text) => {
    problems.push(text);
    problemSeen(new CheckError(text));
  };
  // waits for a page condition, but gives up at once when the page logs an error
  const waitFor = (fn, arg, timeout) => Promise.race([page.waitForFunction(fn, arg, { timeout, polling: 100 }), problem]);
  let page;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: LOAD_TIMEOUT_MS,
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    page.on('console', (msg) => {
      if (!closing && msg.type() === 'error') {
        const where = msg.location() && msg.location().url ? ` (${msg.location().url})` : '';
        addProblem(`console error: ${msg.text()}${where}`);
      }
    });
    page.on('pageerror', (err) => {
      if (!closing) addProblem(`uncaught exception in page: ${err.message}`);
    });
    page.on('dialog', (dialog) => {
      addProblem(`unexpected dialog: ${dialog.message()}`);
      dialog.dismiss().catch(() => {});
    });
    await page.addInitScript(watchErrorBanner);

    const checkProblems = async () => {
      const shown = await page.evaluate(() => (window.__consoleCheck ? window.__consoleCheck.errorShown : null));
      if (shown !== null) problems.push(`#error banner became visible: ${shown}`);
      if (problems.length) fail(problems.join('\n'));
    };

    const response = await page.goto(baseUrl, { waitUntil: 'domcontentloaded', timeout: LOAD_TIMEOUT_MS });
    if (!response || !response.ok()) fail(`GET ${baseUrl}: HTTP ${response ? response.status() : 'no response'}`);

    // Without a token the page shows only the sign-in card and asks the API nothing.
    try {
      await page.locator('#sign-in').waitFor({ state: 'visible', timeout: LOAD_TIMEOUT_MS });
    } catch (e) {
      await checkProblems();
      fail(`the console did not ask for its token within ${LOAD_TIMEOUT_MS / 1000} s`);
    }
    const signInShown = true;
    await page.locator('#token-input').fill(token);
    await page.locator('#token-submit').click({ timeout: LOAD_TIMEOUT_MS });

    try {
      await waitFor(pageReady, null, LOAD_TIMEOUT_MS);
    } catch (e) {
      await checkProblems();
      fail(`the console did not render tiles, failures, calendar, stages and charts within ${LOAD_TIMEOUT_MS / 1000} s`);
    }
    await checkProblems();

    const before = normalise(await page.evaluate(readPage, TILES));
    await page.screenshot({ path: screenshotPath, fullPage: true });
    await checkProblems();

    let replayed = null;
    if (before.failures.length > 0) {
      const first = before.failures[0];
      replayed = { stage: first.stage, category: first.category, countBefore: first.count };
      await page.locator('tr.failure-row').first().locator('button.replay').click({ timeout: LOAD_TIMEOUT_MS });
      try {
        await waitFor(({ stage, category, count }) => {
          if (window.__consoleCheck && window.__consoleCheck.errorShown !== null) return true;
          const row = [...document.querySelectorAll('tr.failure-row')]
            .find((r) => r.dataset.stage === stage && r.dataset.category === category);
          return !row || Number(row.dataset.count) < count;
        }, { stage: first.stage, category: first.category, count: first.count }, REPLAY_TIMEOUT_MS);
      } catch (e) {
        await checkProblems();
        fail(`after replaying ${first.stage}/${first.category} its count (${first.count}) did not decrease `
          + `within ${REPLAY_TIMEOUT_MS / 1000} s`);
      }
      await checkProblems();
    }

    const after = normalise(await page.evaluate(readPage, TILES));
    await checkProblems();

    // The report: the button fetches it with the token and hands it to the browser as a download.
    let report;
    try {
      const [download] = await Promise.all([
        page.waitForEvent('download', { timeout: REPORT_TIMEOUT_MS }),
        page.locator('#report-csv').click({ timeout: LOAD_TIMEOUT_MS }),
      ]);
      const file = await download.path();
      const text = await (await import('node:fs/promises')).readFile(file, 'utf8');
      report = { name: download.suggestedFilename(), lines: text.split(/\r?\n/).filter((l) => l.length > 0).length };
    } catch (e) {
      await checkProblems();
      const notice = await page.locator('#report-result').textContent().catch(() => null);
      fail(`the CSV report was not downloaded within ${REPORT_TIMEOUT_MS / 1000} s (${notice || e.message})`);
    }
    await checkProblems();

    // The control pass: the button starts one; the card shows it running, then its result.
    let control;
    try {
      await page.locator('#control-start').click({ timeout: LOAD_TIMEOUT_MS });
      await waitFor(() => {
        if (window.__consoleCheck && window.__consoleCheck.errorShown !== null) return true;
        const card = document.getElementById('control-last');
        return card && card.dataset.running === 'false' && card.dataset.trigger === 'console';
      }, null, CONTROL_TIMEOUT_MS);
      control = await page.evaluate(() => {
        const d = document.getElementById('control-last').dataset;
        return { trigger: d.trigger, finishedAt: d.finishedAt, new: d.new, changed: d.changed, vanished: d.vanished,
          unmigrated: d.unmigrated, clean: d.clean, text: document.getElementById('control-last').textContent.trim() };
      });
    } catch (e) {
      await checkProblems();
      const notice = await page.locator('#control-result').textContent().catch(() => null);
      fail(`the control pass started by its button did not finish within ${CONTROL_TIMEOUT_MS / 1000} s (${notice || e.message})`);
    }
    await checkProblems();
    closing = true;
    return { ...before, replayed, failuresAfter: after.failures, signInShown, report, control };
  } catch (e) {
    // best effort: a screenshot of the failing page helps to see why
    if (page) await page.screenshot({ path: screenshotPath, fullPage: true, timeout: 10_000 }).catch(() => {});
    throw e;
  } finally {
    closing = true;
    await browser.close().catch(() => {});
  }
}

async function main() {
  const [baseUrl, screenshotPath] = process.argv.slice(2);
  const token = process.env.CONSOLE_TOKEN;
  if (!baseUrl || !screenshotPath || !token) {
    process.stderr.write('usage: CONSOLE_TOKEN=<token> node console-check.mjs <baseUrl> <screenshotPath>\n');
    process.exit(2);
  }
  const hardTimeout = setTimeout(() => {
    process.stderr.write(`console-check: FAILED: gave up after ${HARD_TIMEOUT_MS / 1000} s\n`);
    process.exit(1);
  }, HARD_TIMEOUT_MS);
  hardTimeout.unref();
  try {
    const result = await run(baseUrl, screenshotPath, token);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exitCode = 0;
  } catch (e) {
    const message = (e && e.message) || String(e);
    process.stderr.write(`console-check: FAILED: ${message}\n`);
    process.exitCode = 1;
  }
}

await main();
