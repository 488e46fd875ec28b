// The dashboard page and its Content-Security-Policy (style rule 6). No 'vscode' import, so that a
// plain-mocha test reads exactly the policy the panel serves (test/unit/vscode/dashboardCsp.test.ts).
import { randomBytes } from 'node:crypto';
import type { DashboardTab } from '../shared/protocol';

/** Bytes of randomness per nonce: 128 bits, so a nonce cannot be guessed by a page that sees others. */
export const NONCE_BYTES = 16;

/** A fresh nonce for one render: never reused, so an injected script cannot borrow an old one. */
export function newNonce(): string {
  return randomBytes(NONCE_BYTES).toString('base64');
}

/** The policy: nothing by default; our bundle by nonce; styles, fonts and images only from the extension. */
export function dashboardCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    // 'unsafe-inline' for styles only: @vscode/webview-ui-toolkit's components inject their styles at runtime.
    `style-src ${cspSource} 'unsafe-inline'`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    // The Services graph's ELK layout runs in a blob: worker; its script is bundled into webview.js
    // (webview/graph/elkLayout.ts says why it is not fetched).
    'worker-src blob:',
    // No connect-src: the dashboard fetches nothing; everything arrives by postMessage.
  ].join('; ');
}

export interface DashboardPage {
  /** The webview's `cspSource`. */
  cspSource: string;
  /** dist/webview.js and media/dashboard.css as webview URIs (asWebviewUri). */
  scriptUri: string;
  styleUri: string;
  releaseId: string;
  folder: string;
  tab: DashboardTab;
}

/** The page: CSP by nonce, our bundle and stylesheet only, initial state in data attributes. */
export function dashboardPage(p: DashboardPage, nonce: string = newNonce()): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${dashboardCsp(p.cspSource, nonce)};">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(p.styleUri)}">
<title>Release dashboard</title>
</head>
<body>
<div id="root" data-release-id="${attr(p.releaseId)}" data-folder="${attr(p.folder)}" data-tab="${attr(p.tab)}"></div>
<script nonce="${nonce}" src="${attr(p.scriptUri)}"></script>
</body>
</html>`;
}

function attr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
