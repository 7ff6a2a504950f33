// Lighthouse (12.2.3: 13 needs Node 22) on the page a person first sees, through Nginx, in the
// machine's Chromium: accessibility and best practices stay at 100. Its own browser, on a
// DevTools port outside the ephemeral range.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { chromium } from 'playwright-core';
import { BASE_URL, screenshotPath, session, signInThroughPage } from './support.mjs';

describe('lighthouse', () => {
  let chrome;

  before(async () => {
    chrome = await chromeLauncher.launch({
      chromePath: process.env.E2E_CHROMIUM ?? '/usr/bin/chromium',
      port: Number(process.env.E2E_LIGHTHOUSE_PORT ?? 18222),
      chromeFlags: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
      ],
    });
  });

  after(async () => {
    await chrome?.kill();
  });

  /** Lighthouse's scores for BASE_URL/ in this Chromium, as it is (cookies kept). */
  async function audit(name) {
    const result = await lighthouse(
      `${BASE_URL}/`,
      { port: chrome.port, output: 'json', logLevel: 'error', disableStorageReset: true },
      {
        extends: 'lighthouse:default',
        settings: {
          onlyCategories: ['accessibility', 'best-practices'],
          // the page as audited, kept in the report (a look at what was scored)
          onlyAudits: ['final-screenshot'],
          formFactor: 'desktop',
          screenEmulation: { disabled: true },
          throttlingMethod: 'provided',
        },
      },
    );
    writeFileSync(screenshotPath(`lighthouse-${name}.json`), result.report);
    const { categories, audits } = result.lhr;
    const failing = Object.values(audits)
      .filter(
        (audit) =>
          audit.score !== null && audit.score < 1 && audit.scoreDisplayMode !== 'informative',
      )
      .map((audit) => `${audit.id}: ${audit.title}`)
      .join('; ');
    return {
      accessibility: categories.accessibility.score,
      practices: categories['best-practices'].score,
      failing,
    };
  }

  it('scores 100 on accessibility and best practices: the sign-in page, then the items signed in', async () => {
    const signIn = await audit('sign-in');
    assert.equal(signIn.accessibility, 1, `sign-in page accessibility; failing: ${signIn.failing}`);
    assert.equal(signIn.practices, 1, `sign-in page best practices; failing: ${signIn.failing}`);

    // sign in through the form in Lighthouse's own browser; its cookies stay for the next audit
    const browser = await chromium.connectOverCDP(`http://127.0.0.1:${chrome.port}`);
    const page = await browser.contexts()[0].newPage();
    await page.goto(`${BASE_URL}/`);
    await signInThroughPage(page, await session('editor'));
    await page.close();
    await browser.close();
    const items = await audit('items');
    assert.equal(items.accessibility, 1, `items page accessibility; failing: ${items.failing}`);
    assert.equal(items.practices, 1, `items page best practices; failing: ${items.failing}`);
  });
});
