/**
 * `--watch`: calls back when the manifest file changes, debounced. The directory is watched
 * rather than the file, because editors and config-management tools replace a file (write a
 * temporary, rename it over) and a watch on the old file would go quiet after the first save.
 * @module
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

/** A running watch. */
export interface ManifestWatch {
  close(): void;
}

/**
 * Watches `file`; `onChange` runs once per burst of changes, `debounceMs` after the last one.
 *
 * @example
 * ```ts
 * const watching = watchManifest('/etc/mcp-auth/mcp-auth.config.json', () => void gateway.reload());
 * ```
 */
export function watchManifest(file: string, onChange: () => void, debounceMs = 200): ManifestWatch {
  const name = basename(file);
  let timer: NodeJS.Timeout | undefined;
  const watcher: FSWatcher = watch(dirname(file), { persistent: false }, (_event, changed) => {
    // Some platforms do not say which file changed: treat that as this one.
    if (changed !== null && changed !== name) return;
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  });
  // A watch error (the directory removed) must not crash the gateway; it just stops watching.
  watcher.on('error', () => watcher.close());
  return {
    close: () => {
      clearTimeout(timer);
      watcher.close();
    },
  };
}
