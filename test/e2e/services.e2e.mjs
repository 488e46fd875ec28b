// The Services tab as a person meets it: discover the sample's services, create a release with some
// of them, open its dashboard's Services tab: the ELK graph is laid out in a blob: worker under the
// dashboard's strict CSP (0 violations), nodes carry names, states and waves, edges are drawn; a click
// shows the service with where its dependencies came from; Edit opens VS Code's prompts and the
// change reaches the details without a new layout.
import assert from 'node:assert/strict';
import {
  acceptQuickPick,
  answerPrompt,
  clearNotifications,
  editorTab,
  notification,
  runCommand,
  toggleItems,
  waitForPrompt,
  waitForTreeRow,
  waitForWorkbench,
  webviewFrame,
  openViewContainer,
} from './workbench.mjs';

/** In a single-choice quick pick: filters by `label` and accepts the (then first) row. */
async function pickByTyping(page, label) {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.fill(label);
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: label }).waitFor();
  await input.press('Enter');
}

export const tests = {
  'Services tab: discover, then the ELK graph with waves, states and details; edit from the dashboard': {
    timeout: 180_000,
    run: async ({ page, screenshot }) => {
      const webviewConsole = [];
      page.on('console', (m) => {
        if (m.type() === 'error' && /webview|elk|worker|Content Security Policy/i.test(m.text())) webviewConsole.push(m.text());
      });
      await openViewContainer(page, 'Releases');
      await runCommand(page, 'Release Manager: Discover Services', { prompts: true });
      await waitForPrompt(page, 'Discover Services in shop');
      await acceptQuickPick(page);
      await notification(page, 'Added 6 services').waitFor();

      await runCommand(page, 'Release Manager: Create Release', { prompts: true });
      await answerPrompt(page, 'Create Release (1/5): name', 'Storefront');
      await answerPrompt(page, 'Create Release (2/5): version', '2.0.0');
      await waitForPrompt(page, 'Create Release (3/5): services');
      await toggleItems(page, ['api', 'auth', 'web', 'worker']);
      await acceptQuickPick(page);
      await answerPrompt(page, 'Create Release (4/5): planned start', '');
      await answerPrompt(page, 'Create Release (5/5): planned end', '');
      await notification(page, 'Created release 2.0.0 (Storefront).').waitFor();

      // "Show Deployment Order" from the palette opens the dashboard on its Services tab.
      await runCommand(page, 'Release Manager: Show Deployment Order', { prompts: true });
      await waitForPrompt(page, 'Show Deployment Order: which release?');
      await acceptQuickPick(page);
      await editorTab(page, 'Release 2.0.0').waitFor();
      const wv = webviewFrame(page);
      await wv.locator('#tab-services[aria-selected="true"]').waitFor();

      // The graph: laid out in the worker, one node per service (db and redis are outside the release).
      const graph = wv.locator('#service-graph[data-state="ready"]');
      await graph.waitFor({ timeout: 60_000 });
      for (const name of ['api', 'auth', 'web', 'worker', 'db', 'redis']) {
        await wv.locator(`.graph-node[data-service="${name}"] .node-name`, { hasText: name }).waitFor();
      }
      assert.equal(await wv.locator('.graph-node.outside').count(), 2, 'db and redis are drawn as outside the release');
      assert.ok((await wv.locator('path.graph-edge[data-edge]').count()) >= 7, 'dependency edges are drawn');
      assert.equal(await wv.locator('path.graph-edge[data-edge="api>web"]').count(), 1);
      // Waves as columns and on each node; the order list beside the graph.
      await wv.locator('text.graph-column', { hasText: 'Wave 0' }).waitFor();
      await wv.locator('text.graph-column', { hasText: 'Outside the release' }).waitFor();
      assert.equal(await wv.locator('.graph-node[data-service="auth"] .node-wave').textContent(), 'W0');
      assert.equal(await wv.locator('.graph-node[data-service="web"] .node-wave').textContent(), 'W2');
      assert.deepEqual(await wv.locator('#deployment-order tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-service'))), ['auth', 'api', 'web', 'worker']);
      // Nothing was deployed: every node says so in text, not only in colour.
      assert.match(await wv.locator('.graph-node[data-service="api"] .node-state').textContent(), /not deployed/);
      await wv.locator('#graph-legend', { hasText: 'in progress' }).waitFor();
      const layoutsAfterFirst = Number(await graph.getAttribute('data-layouts-run'));
      assert.equal(layoutsAfterFirst, 1);

      // Zoom and pan work (the drawn transform changes).
      const zoom0 = Number(await graph.getAttribute('data-zoom'));
      await wv.locator('#graph-zoom-out').click();
      await wv.locator(`#service-graph[data-zoom]:not([data-zoom="${zoom0.toFixed(3)}"])`).waitFor();

      // A click on a node shows the service.
      await wv.locator('#graph-fit').click();
      await wv.locator('.graph-node[data-service="web"]').click();
      const details = wv.locator('#service-details[data-service="web"]');
      await details.waitFor();
      assert.equal(await details.locator('#service-path').textContent(), 'services/web');
      await details.locator('#service-dependencies li[data-dependency="api"]', { hasText: 'docker-compose.yml:69' }).waitFor();
      await details.locator('#service-runs tr[data-environment="production"]', { hasText: 'not deployed' }).waitFor();
      assert.equal(await wv.locator('.graph-node[data-service="web"]').getAttribute('aria-pressed'), 'true');
      await clearNotifications(page);
      await page.mouse.move(1, 1);
      await screenshot('services-graph');

      // The strict CSP (worker-src blob: for the ELK worker, no connect-src) blocked nothing.
      assert.equal(await wv.locator('#csp-violations').getAttribute('data-count'), '0');
      assert.deepEqual(webviewConsole, []);

      // Edit from the dashboard: VS Code's prompts; the change reaches the details, with no new layout.
      await details.locator('#service-edit').click();
      await waitForPrompt(page, 'Edit Service web: which field?');
      await pickByTyping(page, 'Rollback command');
      await answerPrompt(page, 'Edit Service web', 'deploy/undo-web.sh');
      await details.locator('#service-rollback', { hasText: 'deploy/undo-web.sh' }).waitFor({ timeout: 10_000 });
      assert.equal(Number(await graph.getAttribute('data-layouts-run')), layoutsAfterFirst, 'same structure: positions from the cache');
      await waitForTreeRow(page, 'Storefront', { view: 'Releases' });

      // The environment picker: states and readiness are about the chosen environment.
      await wv.locator('#graph-environment').selectOption('production');
      await wv.locator('#order-heading', { hasText: 'Deployment order to production' }).waitFor();
      await wv.locator('#service-state', { hasText: 'not deployed' }).waitFor();

      // Drag pans the picture.
      const group = wv.locator('#service-graph svg > g');
      const before = await group.getAttribute('transform');
      const box = await graph.boundingBox();
      await page.mouse.move(box.x + 20, box.y + 20);
      await page.mouse.down();
      await page.mouse.move(box.x + 120, box.y + 70, { steps: 5 });
      await page.mouse.up();
      assert.notEqual(await group.getAttribute('transform'), before, 'the drag moved the graph');

      // A dependency cycle made through Edit → Dependencies: the order is refused, the graph is laid
      // out again (new structure) with the cycle's edges marked and the cycle named.
      await wv.locator('#deployment-order tr[data-service="auth"] button').click();
      await wv.locator('#service-details[data-service="auth"] #service-edit').click();
      await waitForPrompt(page, 'Edit Service auth: which field?');
      await pickByTyping(page, 'Dependencies');
      await waitForPrompt(page, 'Edit Service auth: dependencies');
      await toggleItems(page, ['web']);
      await acceptQuickPick(page);
      // auth now needs web, which needs api, which needs auth: one cycle, named from its smallest member.
      await wv.locator('#graph-cycles', { hasText: 'api → auth → web → api' }).waitFor({ timeout: 10_000 });
      await wv.locator(`#service-graph[data-state="ready"]:not([data-layouts-run="${layoutsAfterFirst}"])`).waitFor({ timeout: 30_000 });
      assert.deepEqual((await wv.locator('path.graph-edge.cycle').evaluateAll((es) => es.map((e) => e.getAttribute('data-edge')))).sort(), ['api>web', 'auth>api', 'web>auth']);
      await wv.locator('#deployment-order-none', { hasText: 'dependency cycle api → auth → web → api' }).waitFor();
      assert.equal(await wv.locator('.graph-node.cycle').count(), 3);
      await clearNotifications(page);
      await page.mouse.move(1, 1);
      await screenshot('services-graph-cycle');
      assert.equal(await wv.locator('#csp-violations').getAttribute('data-count'), '0');

      // After a window reload the dashboard comes back on the Services tab with the environment
      // chosen and the graph where it was panned and zoomed (webview setState), laid out afresh.
      await wv.locator('#graph-zoom-in').click();
      const gbox = await graph.boundingBox();
      await page.mouse.move(gbox.x + 40, gbox.y + 40);
      await page.mouse.down();
      await page.mouse.move(gbox.x + 90, gbox.y + 100, { steps: 5 });
      await page.mouse.up();
      await page.waitForTimeout(400); // the view settles (90 ms), then setState is posted asynchronously
      const looked = await group.getAttribute('transform');
      const reloaded = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame(), timeout: 30_000 });
      await runCommand(page, 'Developer: Reload Window');
      await reloaded;
      await waitForWorkbench(page);
      await editorTab(page, 'Release 2.0.0').waitFor();
      const restored = webviewFrame(page);
      await restored.locator('#service-graph[data-state="ready"]').waitFor({ timeout: 60_000 });
      assert.equal(await restored.locator('#tab-services').getAttribute('aria-selected'), 'true');
      assert.equal(await restored.locator('#graph-environment').inputValue(), 'production');
      await restored.locator('#order-heading', { hasText: 'production' }).waitFor();
      assert.equal(await restored.locator('#service-graph svg > g').getAttribute('transform'), looked, 'the graph is where it was looked at');
    },
  },
};
