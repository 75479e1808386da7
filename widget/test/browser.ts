// Debian's Chromium, headless, for the browser tests (driven by playwright-core; nothing downloaded).
// Without the background-networking flags it would keep trying Google's hosts on this closed network.
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_PATH } from '../../server/test/support/needs.ts';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const launchChromium = (): Promise<Browser> => chromium.launch({ executablePath: CHROMIUM_PATH, args: FLAGS, headless: true });
