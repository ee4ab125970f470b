/**
 * RCP → Runs follow by themselves (issue 29): `odoo/assets/live_runs.js` in the web client. Without
 * an Odoo module, an asset is two records: an attachment holding the file, found by its `url`, and an
 * `ir.asset` adding that url to `web.assets_backend`. Odoo reads such a url from the attachment
 * (`ir.asset._get_paths`: "an attachment url most likely"; the bundle's `stat`), transpiles it as one
 * of its own modules, and builds it into the bundle, as it does for the website editor's custom code.
 */
import { createHash } from 'node:crypto';
import type { WorkspaceItem } from './items.ts';
import { assetText } from './odoo-files.ts';

const FILE = 'live_runs.js';
/** A module path: Odoo names the module `@rcp_connector/live_runs`. No addon of that name exists. */
export const LIVE_RUNS_URL = `/rcp_connector/static/src/${FILE}`;

export function liveRunsItems(): WorkspaceItem[] {
  const text = assetText(FILE);
  // Odoo keeps the bundle's list of files cached until an ir.asset changes: the asset's name holds
  // the file's hash, so a new version of the file rewrites the asset too and the bundle is rebuilt.
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 12);
  return [
    {
      name: 'asset_live_runs_file',
      model: 'ir.attachment',
      values: {
        name: FILE,
        type: 'binary',
        url: LIVE_RUNS_URL,
        mimetype: 'application/javascript',
        datas: Buffer.from(text, 'utf8').toString('base64'),
      },
    },
    {
      name: 'asset_live_runs',
      model: 'ir.asset',
      values: {
        name: `RCP: runs follow by themselves (${hash})`,
        bundle: 'web.assets_backend',
        directive: 'append',
        path: LIVE_RUNS_URL,
      },
    },
  ];
}
