// package.json's contributions against the one command table (src/vscode/commandIds.ts), both ways.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { COMMAND_CATEGORY, COMMANDS, Commands } from '../../../src/vscode/commandIds';

const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../package.json'), 'utf8'));
const contributed: { command: string; title: string; category?: string; icon?: string }[] = pkg.contributes.commands;
const menus: Record<string, { command: string; when?: string; group?: string }[]> = pkg.contributes.menus ?? {};
const tableIds = COMMANDS.map((c) => c.id);

describe('command table ↔ package.json', () => {
  it('every table command is contributed with its title, category and icon', () => {
    for (const c of COMMANDS) {
      const p = contributed.find((x) => x.command === c.id);
      assert.ok(p, `${c.id} is in the table but not in contributes.commands`);
      assert.equal(p.title, c.title, `${c.id} title`);
      assert.equal(p.category, COMMAND_CATEGORY, `${c.id} category`);
      assert.equal(p.icon, c.icon ? `$(${c.icon})` : undefined, `${c.id} icon`);
    }
  });

  it('every contributed command is in the table', () => {
    const extra = contributed.map((c) => c.command).filter((id) => !tableIds.includes(id as never));
    assert.deepEqual(extra, []);
  });

  it('ids are unique and follow releaseManager.<area>.<verb>', () => {
    assert.equal(new Set(tableIds).size, tableIds.length);
    for (const id of tableIds) assert.match(id, /^releaseManager\.[a-z]+\.[a-z][A-Za-z]+$/);
    assert.deepEqual(Object.values(Commands).sort(), [...tableIds].sort());
  });

  it('menus.commandPalette hides exactly the commands the table keeps out of the palette', () => {
    const hidden = (menus.commandPalette ?? []).filter((m) => m.when === 'false').map((m) => m.command).sort();
    assert.deepEqual(hidden, COMMANDS.filter((c) => !c.palette).map((c) => c.id).sort());
    for (const m of menus.commandPalette ?? []) assert.ok(tableIds.includes(m.command as never), `commandPalette names unknown ${m.command}`);
  });

  it('view menus name known commands and are gated by view/viewItem when-clauses', () => {
    for (const [menu, entries] of Object.entries(menus)) {
      if (menu === 'commandPalette') continue;
      for (const m of entries) {
        assert.ok(tableIds.includes(m.command as never), `${menu} names unknown ${m.command}`);
        assert.match(m.when ?? '', /\bview == releaseManager\.(releases|environments|trains)\b/, `${menu} ${m.command}: no view == when-clause`);
        if (menu === 'view/item/context') assert.match(m.when ?? '', /\bviewItem (==|=~)/, `${m.command}: no viewItem when-clause`);
      }
    }
  });

  it('activation comes from the contributions, the dashboard serializer, and a workspace that has releases or pipelines; never *', () => {
    // A workspace with a release database or a pipeline file activates at startup, so trains depart on time,
    // runs cut off by a closed window are marked interrupted and the pipeline file's $schema resolves.
    assert.deepEqual(pkg.activationEvents, [
      'onWebviewPanel:releaseManager.dashboard',
      'workspaceContains:.vscode/release-manager.sqlite',
      'workspaceContains:.vscode/release-pipelines.json',
    ]);
    assert.match(pkg.engines.vscode, /^\^1\.100\./);
  });

  it('viewsWelcome buttons run contributed commands', () => {
    for (const w of pkg.contributes.viewsWelcome as { contents: string }[]) {
      for (const [, id] of w.contents.matchAll(/\(command:([\w.]+)\)/g)) {
        assert.ok(tableIds.includes(id as never) || id.startsWith('workbench.'), `viewsWelcome links unknown ${id}`);
      }
    }
  });
});
