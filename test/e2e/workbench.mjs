// Helpers for driving the real VS Code workbench (1.100.3, web) with Playwright.
// Selectors were checked against the running workbench; VS Code's DOM is not an API, so keep
// every selector here and nowhere else.
import fs from 'node:fs';
import path from 'node:path';

/** Waits until the workbench shell is on screen and the extension host has added our container. */
export async function waitForWorkbench(page, { timeout = 60_000 } = {}) {
  await page.locator('.monaco-workbench').waitFor({ timeout });
  await activityBarItem(page, 'Releases').waitFor({ timeout });
}

/** The activity-bar entry of a view container, by its title ("Releases", "Explorer", …). */
export function activityBarItem(page, title) {
  // 1.100 puts the label on the <a>, with the keybinding appended for builtin containers.
  return page.locator(`.activitybar .action-item a.action-label[aria-label="${title}"], `
    + `.activitybar .action-item a.action-label[aria-label^="${title} ("]`).first();
}

/** The side-bar title (<h2>) of the container that is open. */
export function sideBarTitle(page) {
  return page.locator('.part.sidebar .composite.title h2');
}

/** Opens a view container from the activity bar (no-op if it is already open). */
export async function openViewContainer(page, title, { timeout = 30_000 } = {}) {
  const title2 = sideBarTitle(page);
  if ((await title2.count()) && (await title2.first().innerText()).trim().toLowerCase() === title.toLowerCase()) return;
  await activityBarItem(page, title).click({ timeout });
  await page.locator('.part.sidebar .composite.title h2', { hasText: title }).waitFor({ timeout });
  // Park the pointer on the empty title bar, so the activity-bar hover does not cover screenshots.
  await page.mouse.move(1, 1);
}

/** A view pane inside the side bar, by its header title ("Releases", "Environments"). */
export function viewPane(page, title) {
  return page.locator('.part.sidebar .pane', {
    has: page.locator('.pane-header h3.title', { hasText: new RegExp(`^${escapeRegExp(title)}$`, 'i') }),
  });
}

/**
 * Runs a command through the F1 palette by its full title, e.g. "Release Manager: Open Dashboard".
 * With `prompts: true` it does not wait for the quick input to close (the command asks something next).
 */
export async function runCommand(page, title, { timeout = 15_000, prompts = false } = {}) {
  const input = page.locator('.quick-input-widget input');
  // With the focus in a webview, F1 reaches the workbench by a message from the webview's frame;
  // now and then it is lost, or the palette it opens closes again as the focus settles: press it
  // again, as a person would.
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    const wait = attempt < 3 ? 3000 : timeout;
    try {
      await input.waitFor({ timeout: wait });
      await input.fill(`>${title}`, { timeout: wait });
      break;
    } catch (e) {
      if (attempt >= 3) throw e;
    }
  }
  // Pick the row whose label is exactly the command (the palette also lists fuzzy matches).
  const label = title.includes(': ') ? title.slice(title.indexOf(': ') + 2) : title;
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
  await row.waitFor({ timeout });
  await row.click();
  if (prompts) return;
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout }).catch(() => {});
}

/** The open quick input (input box or quick pick) once its title contains `title`. */
export async function waitForPrompt(page, title, { timeout = 15_000 } = {}) {
  const widget = page.locator('.quick-input-widget', { has: page.locator('.quick-input-title', { hasText: title }) });
  await widget.waitFor({ timeout });
  return widget;
}

/** Types `value` into the prompt titled `title` (replacing the proposed value) and accepts it. */
export async function answerPrompt(page, title, value, { timeout = 15_000 } = {}) {
  const widget = await waitForPrompt(page, title, { timeout });
  const input = widget.locator('.quick-input-box input');
  await input.fill(value);
  await input.press('Enter');
}

/** The validation message under the quick input's box, e.g. what validateInput returned. */
export function promptMessage(page) {
  return page.locator('.quick-input-widget .quick-input-message');
}

/** In a multi-select quick pick: toggles the rows whose label is exactly one of `labels`. */
export async function toggleItems(page, labels, { timeout = 15_000 } = {}) {
  for (const label of labels) {
    const row = page.locator('.quick-input-list .monaco-list-row', {
      has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }),
    }).first();
    await row.waitFor({ timeout });
    await row.locator('input[type=checkbox], .quick-input-list-checkbox, .monaco-custom-toggle').first().click();
  }
}

/** A tree/list row containing `text` (optionally inside one view pane); waits until it is visible. */
export async function waitForTreeRow(page, text, { view, timeout = 30_000 } = {}) {
  const scope = view ? viewPane(page, view) : page;
  const row = scope.locator('.monaco-list-row', { hasText: text }).first();
  await row.waitFor({ timeout });
  return row;
}

/**
 * Waits (best effort, up to `timeout`) until no progress bar runs and no activity badge shows
 * progress, e.g. before a screenshot while views are still resolving.
 */
export async function waitForProgressDone(page, { timeout = 10_000 } = {}) {
  await page.waitForFunction(() => {
    const busy = [...document.querySelectorAll('.monaco-progress-container.active, .activitybar .badge .codicon-loading, .activitybar .badge.progress-badge')]
      .filter((e) => e.getClientRects().length > 0 && getComputedStyle(e).display !== 'none');
    return busy.length === 0;
  }, null, { timeout, polling: 100 }).catch(() => {});
}

/** Drags the side bar's edge `by` pixels to the right (e.g. so long tree rows fit a picture). */
export async function widenSideBar(page, by) {
  const bar = await page.locator('.part.sidebar').boundingBox();
  if (!bar) return;
  await page.mouse.move(bar.x + bar.width + 1, bar.y + bar.height / 2);
  await page.mouse.down();
  await page.mouse.move(bar.x + bar.width + by, bar.y + bar.height / 2, { steps: 8 });
  await page.mouse.up();
}

/** A status-bar item containing `text`. */
export function statusBarItem(page, text) {
  return page.locator('.part.statusbar .statusbar-item', { hasText: text }).first();
}

/** Dismisses every notification toast (e.g. before a screenshot). */
export async function clearNotifications(page) {
  await runCommand(page, 'Notifications: Clear All Notifications');
  await page.locator('.notifications-toasts .notification-toast').first().waitFor({ state: 'detached', timeout: 5000 }).catch(() => {});
}

/** A notification toast containing `text`. */
export function notification(page, text) {
  return page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
}

/** The active webview's document: two nested iframes (the host frame, then the content frame). */
export function webviewFrame(page) {
  return page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
}

/** Accepts the open quick pick (Enter in its box), as a person does after ticking entries. */
export async function acceptQuickPick(page) {
  await page.locator('.quick-input-widget .quick-input-box input').press('Enter');
}

/** Picks the quick-pick row whose text contains `text`. */
export async function pickRow(page, text, { timeout = 15_000 } = {}) {
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first();
  await row.waitFor({ timeout });
  await row.click();
}

/** Through "Edit Environment Settings": chooses the pipeline that `environment` runs when promoted. */
export async function setEnvironmentPipeline(page, environment, pipeline) {
  await runCommand(page, 'Release Manager: Edit Environment Settings', { prompts: true });
  await waitForPrompt(page, 'Edit Environment Settings: which environment?');
  await pickRow(page, environment);
  await waitForPrompt(page, `Edit Environment Settings: ${environment}`);
  await pickRow(page, 'Pipeline:');
  await waitForPrompt(page, `Pipeline of ${environment}`);
  await pickRow(page, pipeline);
  await notification(page, `${environment}: `).waitFor();
}

/** The modal dialog showing `text` (e.g. a production confirmation): clicks its button `button`. */
export async function answerDialog(page, text, button, { timeout = 15_000 } = {}) {
  const dialog = page.locator('.monaco-dialog-box', { hasText: text });
  await dialog.waitFor({ timeout });
  await dialog.locator('.dialog-buttons .monaco-button', { hasText: new RegExp(`^${escapeRegExp(button)}$`) }).first().click();
  await dialog.waitFor({ state: 'detached', timeout });
}

/**
 * A PNG for the README, at most `maxBytes`: the screenshot, scaled down in the browser itself
 * (canvas) until it fits, so no image library is needed.
 */
export async function saveSmallPng(page, png, file, maxBytes) {
  let scale = 1;
  let out = png;
  while (out.length > maxBytes && scale > 0.3) {
    scale *= 0.8;
    const dataUrl = await page.evaluate(async ({ b64, s }) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = Math.round(img.width * s);
      c.height = Math.round(img.height * s);
      const g = c.getContext('2d');
      g.imageSmoothingQuality = 'high';
      g.drawImage(img, 0, 0, c.width, c.height);
      return c.toDataURL('image/png');
    }, { b64: png.toString('base64'), s: scale });
    out = Buffer.from(dataUrl.split(',')[1], 'base64');
  }
  if (out.length > maxBytes) throw new Error(`${file}: the screenshot is ${out.length} bytes even at scale ${scale.toFixed(2)} (limit ${maxBytes})`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, out);
  return { bytes: out.length, scale };
}

/** The editor tab with `title`. */
export function editorTab(page, title) {
  return page.locator('.tabs-container .tab', { hasText: title }).first();
}

function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
