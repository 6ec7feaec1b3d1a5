import { ManifestError, formatIssue } from '../errors.js';
import { findManifestFile, readManifestFile, validateManifestFile } from '../manifest/load.js';
import type { CommandOptions, ExitCode } from './main.js';
import { describePresets } from '../providers/describe-presets.js';

/** `mcp-auth validate`: offline shape and meaning checks. */
export async function validateCommand(o: CommandOptions): Promise<ExitCode> {
  let file;
  try {
    file = await readManifestFile(o.path ?? (await findManifestFile()));
  } catch (err) {
    if (!(err instanceof ManifestError)) throw err;
    if (o.format === 'json')
      o.out(JSON.stringify({ valid: false, file: err.file ?? null, error: err.code, message: err.message }));
    else o.err(err.message);
    return 2;
  }
  const { manifest, issues } = validateManifestFile(file);
  const errors = issues.filter((i) => i.severity === 'error').length;
  const warnings = issues.length - errors;
  const valid = manifest !== undefined && !(o.strict && warnings > 0);
  if (o.format === 'json') {
    const presets = manifest ? describePresets(manifest) : {};
    o.out(JSON.stringify({ valid, file: file.file, errors, warnings, issues, presets }, null, 2));
  } else {
    for (const issue of issues) (issue.severity === 'error' ? o.err : o.out)(formatIssue(issue));
    const summary = `${file.file}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
    (valid ? o.out : o.err)(
      valid ? `✓ ${summary}` : `✗ ${summary}${manifest && o.strict ? ' (--strict)' : ''}`,
    );
  }
  return valid ? 0 : 1;
}
