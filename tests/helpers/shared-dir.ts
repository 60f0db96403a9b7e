import fs from 'node:fs';
import path from 'node:path';

/**
 * The team's `shared/` folder (sample payloads, the contract check): beside the checkout, as CI has it. A git
 * worktree (…/wt/<name>) has it further up, so the nearest `shared/` with payloads in a parent folder wins.
 */
export function sharedDir(from = process.cwd()): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const candidate = path.join(path.dirname(dir), 'shared');
    if (fs.existsSync(path.join(candidate, 'payloads'))) return candidate;
    if (path.dirname(dir) === dir) return path.resolve(from, '../shared');
  }
}
