// Release notes as Markdown documents: `release-notes:` URIs served from the release database, so
// "Edit Release Notes" opens a real Markdown editor and Ctrl+S stores the text on the release
// (ReleaseManager.updateRelease: validated, audited). Chosen over an untitled editor plus a save
// command: an untitled document asks to be saved to disk when it is closed, and a person expects
// Ctrl+S to save. A change made elsewhere (regenerated notes, another window) reaches the open editor.
import { createHash } from 'node:crypto';
import * as vscode from 'vscode';
import { userMessage } from './errors';
import type { Sessions, WorkspaceSession } from './workspaceSession';

export const NOTES_SCHEME = 'release-notes';

const folderTag = (session: WorkspaceSession) => createHash('sha1').update(session.key).digest('hex').slice(0, 12);

/** release-notes:/<folder tag>/<release id>/release-<version>-notes.md */
export function notesUri(session: WorkspaceSession, releaseId: string, version: string): vscode.Uri {
  const safeVersion = version.replace(/[^0-9A-Za-z.+-]/g, '_');
  return vscode.Uri.from({ scheme: NOTES_SCHEME, path: `/${folderTag(session)}/${encodeURIComponent(releaseId)}/release-${safeVersion}-notes.md` });
}

export class ReleaseNotesFileSystem implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.emitter.event;
  /** Documents VS Code watches (open editors): told when the database changes. */
  private readonly watched = new Map<string, { uri: vscode.Uri; count: number }>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly sessions: Sessions) {
    this.subscriptions.push(
      vscode.workspace.registerFileSystemProvider(NOTES_SCHEME, this, { isCaseSensitive: true }),
      sessions.onDidChange(() => {
        // VS Code compares the modification time (the release's updatedAt) and reloads a clean editor when it moved.
        const events = [...this.watched.values()].map(({ uri }) => ({ type: vscode.FileChangeType.Changed, uri }));
        if (events.length) this.emitter.fire(events);
      }),
    );
  }

  private async resolve(uri: vscode.Uri) {
    const [, tag, id] = uri.path.split('/');
    const session = this.sessions.list().find((s) => folderTag(s) === tag);
    if (!session || !id) throw vscode.FileSystemError.FileNotFound(uri);
    const core = await session.core();
    const release = await core.releases.getRelease(decodeURIComponent(id));
    if (!release) throw vscode.FileSystemError.FileNotFound(uri);
    return { core, release };
  }

  watch(uri: vscode.Uri): vscode.Disposable {
    const key = uri.toString();
    const entry = this.watched.get(key) ?? { uri, count: 0 };
    entry.count++;
    this.watched.set(key, entry);
    return new vscode.Disposable(() => {
      if (--entry.count <= 0) this.watched.delete(key);
    });
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    const { release } = await this.resolve(uri);
    return {
      type: vscode.FileType.File,
      ctime: release.createdAt.getTime(),
      mtime: release.updatedAt.getTime(),
      size: Buffer.byteLength(release.releaseNotes ?? '', 'utf8'),
      // A cancelled release cannot change: its notes open read-only.
      ...(release.status === 'cancelled' ? { permissions: vscode.FilePermission.Readonly } : {}),
    };
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const { release } = await this.resolve(uri);
    return Buffer.from(release.releaseNotes ?? '', 'utf8');
  }

  async writeFile(uri: vscode.Uri, content: Uint8Array): Promise<void> {
    const { core, release } = await this.resolve(uri);
    const text = Buffer.from(content).toString('utf8');
    try {
      // Empty text removes the notes.
      await core.releases.updateRelease(release.id, { releaseNotes: text.trim() === '' ? null : text });
    } catch (e) {
      // Shown by VS Code as "Failed to save …: <the core's reason>".
      throw vscode.FileSystemError.NoPermissions(userMessage(e).message);
    }
    this.emitter.fire([{ type: vscode.FileChangeType.Changed, uri }]);
  }

  readDirectory(): [string, vscode.FileType][] {
    return [];
  }

  createDirectory(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  delete(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  rename(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  dispose(): void {
    for (const s of this.subscriptions.splice(0)) s.dispose();
    this.emitter.dispose();
  }
}
