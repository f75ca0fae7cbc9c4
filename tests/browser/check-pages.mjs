// Checks pages of the static site in Debian's headless Chromium, for tests/test_site_browser.py.
//
// Usage: node check-pages.mjs PAGES.json OUT_DIR
//   PAGES.json: [{"url": "http://127.0.0.1:PORT/...", "name": "objective", "search": "ciclabili"?}, ...]
// Prints one JSON object per page on stdout (see checkPage) and saves screenshots into OUT_DIR.
// Only 127.0.0.1 is reachable: any other request is aborted and reported, since the site must
// work offline and make no external request.

import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = require.resolve('axe-core/axe.min.js');
// axe is served as a file of the site's own origin: the pages' Content-Security-Policy runs no inline script.
const AXE_PATH = '/__checks__/axe.min.js';
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
// Without the background-networking flags Chromium's own connections are refused on a closed network.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const DESKTOP = { viewport: { width: 1280, height: 800 } };
const PHONE = { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 };
const SEARCH_BOX = 'input[type="search"], input.pagefind-ui__search-input';
const SEARCH_RESULT = '.pagefind-ui__result-link, .pagefind-ui__result a[href]';
const TIMEOUT = 15000;
const PARALLEL = Number(process.env.CHECK_PAGES_PARALLEL || 2);

const firstLine = (error) => error.message.split('\n')[0];

// One reusable tab per kind of visit; its events go to the report of the page it is on.
async function openTab(browser, label, options) {
  const tab = { label, report: null };
  const context = await browser.newContext({ ...options, locale: 'it-IT', serviceWorkers: 'block' });
  context.setDefaultTimeout(TIMEOUT);
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === '127.0.0.1' && url.pathname === AXE_PATH) {
      return route.fulfill({ path: AXE_SOURCE, contentType: 'text/javascript' });
    }
    if (url.protocol === 'data:' || url.protocol === 'blob:' || url.hostname === '127.0.0.1') {
      return route.continue();
    }
    tab.report?.externalRequests.push(route.request().url());
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  page.on('console', (message) => {
    // Failed loads are reported with their URL by the request handlers below.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      tab.report?.consoleErrors.push(`${label}: ${message.text()} (${message.location().url || 'inline'})`);
    }
  });
  page.on('pageerror', (error) => tab.report?.pageErrors.push(`${label}: ${error.message}`));
  page.on('requestfailed', (request) => {
    const reason = request.failure()?.errorText || 'failed';
    if (!reason.startsWith('net::ERR_BLOCKED_BY_CLIENT') && !reason.startsWith('net::ERR_ABORTED')) {
      tab.report?.failedRequests.push(`${label}: ${request.url()} ${reason}`);
    }
  });
  page.on('response', (response) => {
    if (response.status() >= 400) {
      tab.report?.failedRequests.push(`${label}: ${response.url()} HTTP ${response.status()}`);
    }
  });
  tab.page = page;
  tab.close = () => context.close();
  return tab;
}

async function visit(tab, report, url) {
  tab.report = report;
  const response = await tab.page.goto(url, { waitUntil: 'load' });
  return response?.status();
}

async function runAxe(page, label) {
  await page.addScriptTag({ url: AXE_PATH });
  const results = await page.evaluate(async (tags) => {
    // eslint-disable-next-line no-undef
    const found = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return found.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      nodes: violation.nodes.map((node) => ({ target: node.target.flat(), summary: node.failureSummary })),
    }));
  }, AXE_TAGS);
  return results.map((violation) => ({ ...violation, viewport: label }));
}

async function overflow(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const culprits = [];
    for (const element of document.body.querySelectorAll('*')) {
      const box = element.getBoundingClientRect();
      if (box.width > 0 && box.right > width + 1 && culprits.length < 8) {
        const classes = typeof element.className === 'string' && element.className.trim()
          ? '.' + element.className.trim().split(/\s+/).join('.') : '';
        culprits.push(`${element.tagName.toLowerCase()}${element.id ? '#' + element.id : ''}${classes} right=${Math.round(box.right)}`);
      }
    }
    return { viewport: width, scrollWidth: document.documentElement.scrollWidth, culprits };
  });
}

async function withoutJavaScript(tab, page, report) {
  await visit(tab, report, page.url);
  const main = tab.page.locator('main');
  return {
    main: await main.count(),
    mainText: (await main.count()) ? (await main.first().innerText()).trim().length : 0,
    nav: await tab.page.locator('nav').count(),
    navLinks: await tab.page.locator('nav a[href]').count(),
    h1: await tab.page.locator('h1').count(),
  };
}

async function search(tab, page, outDir, report) {
  await visit(tab, report, page.url);
  const box = tab.page.locator(SEARCH_BOX).first();
  await box.waitFor({ state: 'visible' });
  await box.fill(page.search);
  let results = [];
  try {
    await tab.page.locator(SEARCH_RESULT).first().waitFor({ state: 'visible' });
    results = await tab.page.locator(SEARCH_RESULT).evaluateAll((links) =>
      links.map((link) => ({ text: link.textContent.trim(), href: link.getAttribute('href') })));
  } catch (error) {
    report.errors.push(`search: no result for ${JSON.stringify(page.search)}: ${firstLine(error)}`);
  }
  const violations = await runAxe(tab.page, 'search results');
  await tab.page.screenshot({ path: path.join(outDir, `${page.name}-search.png`), fullPage: true });
  return { query: page.search, results, violations };
}

// One page at desktop and phone width (axe, screenshot, overflow), without JavaScript, and its search.
async function checkPage(tabs, page, outDir) {
  const started = Date.now();
  const report = {
    name: page.name, url: page.url, violations: [], consoleErrors: [], pageErrors: [],
    failedRequests: [], externalRequests: [], screenshots: [], errors: [],
  };
  const attempt = async (step, action) => {
    try {
      return await action();
    } catch (error) {
      report.errors.push(`${step}: ${firstLine(error)}`);
      return undefined;
    }
  };
  for (const tab of [tabs.desktop, tabs.phone]) {
    await attempt(tab.label, async () => {
      const status = await visit(tab, report, page.url);
      report.status = report.status ?? status;
      report.title = report.title ?? await tab.page.title();
      if (tab === tabs.phone) {
        report.overflow = await overflow(tab.page);
      }
      report.violations.push(...await runAxe(tab.page, tab.label));
      const file = path.join(outDir, `${page.name}-${tab.label}.png`);
      await tab.page.screenshot({ path: file, fullPage: true });
      report.screenshots.push(file);
    });
  }
  report.noJavaScript = await attempt('no-js', () => withoutJavaScript(tabs.noJs, page, report));
  if (page.search) {
    report.search = await attempt('search', () => search(tabs.desktop, page, outDir, report));
  }
  for (const tab of Object.values(tabs)) {
    tab.report = null;
  }
  report.seconds = (Date.now() - started) / 1000;
  return report;
}

async function main() {
  const [pagesFile, outDir] = process.argv.slice(2);
  if (!pagesFile || !outDir) {
    console.error('usage: node check-pages.mjs PAGES.json OUT_DIR');
    process.exit(2);
  }
  const pages = JSON.parse(await readFile(pagesFile, 'utf8'));
  await mkdir(outDir, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const queue = [...pages];
    const worker = async () => {
      const tabs = {
        desktop: await openTab(browser, 'desktop', DESKTOP),
        phone: await openTab(browser, 'phone', PHONE),
        noJs: await openTab(browser, 'no-js', { ...DESKTOP, javaScriptEnabled: false }),
      };
      try {
        for (let page = queue.shift(); page; page = queue.shift()) {
          process.stdout.write(JSON.stringify(await checkPage(tabs, page, outDir)) + '\n');
        }
      } finally {
        await Promise.all(Object.values(tabs).map((tab) => tab.close()));
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, pages.length) }, worker));
  } finally {
    await browser.close();
  }
}

await main();
