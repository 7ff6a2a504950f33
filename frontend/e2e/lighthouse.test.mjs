// Lighthouse (12.2.3: 13 needs Node 22) on the page a person first sees (the sign-in form), through
// Nginx, in the machine's Chromium: accessibility and best practices stay at 100. Signed in, the page
// holds the live stream open, which Lighthouse takes for a load that never ends: it waited its 45 s
// for the network to go quiet, and one clean run lost the page there ("Session closed"). axe checks
// the signed-in views in ui.test.mjs instead. Its own browser, on DevTools port 18222 (outside the
// ephemeral range).

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { BASE_URL, screenshotPath } from './support.mjs';

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

  /** Lighthouse's scores for BASE_URL/ in this Chromium, from a clean profile. */
  async function audit(name) {
    const result = await lighthouse(
      `${BASE_URL}/`,
      { port: chrome.port, output: 'json', logLevel: 'error' },
      {
        extends: 'lighthouse:default',
        settings: {
          onlyCategories: ['accessibility', 'best-practices'],
          // the page as audited, kept in the report (a look at what was scored)
          onlyAudits: ['final-screenshot'],
          formFactor: 'desktop',
          screenEmulation: { disabled: true },
          // the status badge asks /status every 5 s: with 5 s of network quiet (Lighthouse's
          // default, and its floor unless throttling is simulated) the load would never end (it
          // gives up at 45 s and warns the results may be incomplete); 1 s of quiet is reached
          // between two polls. Simulated throttling changes only performance figures, not
          // measured here.
          networkQuietThresholdMs: 1000,
          cpuQuietThresholdMs: 1000,
          pauseAfterLoadMs: 1000,
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
    assert.deepEqual(result.lhr.runWarnings, [], 'Lighthouse finished its load and its audits');
    return {
      accessibility: categories.accessibility.score,
      practices: categories['best-practices'].score,
      failing,
    };
  }

  it('scores 100 on accessibility and best practices for the page a person first sees', async () => {
    const signIn = await audit('sign-in');
    assert.equal(signIn.accessibility, 1, `accessibility; failing: ${signIn.failing}`);
    assert.equal(signIn.practices, 1, `best practices; failing: ${signIn.failing}`);
  });
});
