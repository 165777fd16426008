// Starts Debian's chromium through playwright-core with the flags of
// shared/notes/browser-tests.md that work as root on a closed network;
// playwright gives the browser a fresh empty profile (--user-data-dir).
// CHROMIUM overrides the browser path (default /usr/bin/chromium).
import { chromium } from 'playwright-core';

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
