import { compile } from '../runtime/compile.js';
import { loadForCommand } from './load-for-command.js';
import type { CommandOptions, ExitCode } from './main.js';
import { describePresets } from '../providers/describe-presets.js';

/** `mcp-auth routes`: every route the runtime mounts, and the PRM document each serves. */
export async function routesCommand(o: CommandOptions): Promise<ExitCode> {
  const manifest = await loadForCommand(o);
  if (typeof manifest === 'number') return manifest;
  // Lazy start-up: nothing is fetched unless a document needs an issuer's resolved metadata.
  const auth = await compile({ ...manifest, settings: { ...manifest.settings, startup: 'lazy' } });
  try {
    const rows = auth.routes.map((route) => {
      const resource = auth.resources.find((r) => r.resource === route.resource)!;
      const response = auth.handleMetadataRequest({
        method: 'GET',
        url: route.path,
        host: new URL(resource.origin).host,
        authorization: [],
      });
      const document =
        response && !(response instanceof Promise) && response.body ? JSON.parse(response.body) : undefined;
      return {
        method: 'GET, HEAD, OPTIONS',
        url: `${resource.origin}${route.path}`,
        kind: route.kind,
        resource: route.resource,
        document,
      };
    });
    const protectedRows = auth.resources.map((r) => ({
      method: 'ALL',
      url: `${r.origin}${r.path || '/'}${r.path ? '/**' : '**'}`,
      protected: r.protect,
      resource: r.resource,
    }));
    if (o.format === 'json') {
      // What each issuer preset became (issuer values and token policy per resource).
      const presets = describePresets(manifest);
      o.out(JSON.stringify({ metadata: rows, protected: protectedRows, presets }, null, 2));
    } else {
      for (const row of rows) {
        o.out(`${row.method.padEnd(18)} ${row.url}  (${row.kind})`);
        o.out(
          row.document
            ? `  ${JSON.stringify(row.document)}`
            : '  (document needs the issuer metadata, resolved at start-up)',
        );
      }
      for (const row of protectedRows)
        o.out(
          `${row.method.padEnd(18)} ${row.url}  ${row.protected ? 'bearer token required' : 'protected per route only'}`,
        );
    }
    return 0;
  } finally {
    await auth.close();
  }
}
