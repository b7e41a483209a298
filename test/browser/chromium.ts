// Headless Chromium for browser tests: always the system's Debian package, never a downloaded browser, so
// tests run offline and CI installs exactly one known binary (.ci/run does it when it is missing).
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_MISSING = `Chromium is not installed at ${CHROMIUM_PATH}; install it with: sudo apt-get install chromium`;

/** Fails fast with the fix in one line, rather than Playwright's long launch error. */
export const assertChromiumInstalled = (): void => {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(CHROMIUM_MISSING);
};

export const launchChromium = async (): Promise<Browser> => {
  assertChromiumInstalled();
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // No sandbox: CI runs as root in a container. The rest keeps Chromium from reaching the network on its own.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
};
