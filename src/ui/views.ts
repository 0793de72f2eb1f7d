// Server-rendered pages. Templates live in src/ui/views/; a deployment overrides any of them by putting a
// file of the same name in its theme folder. Eta escapes every interpolation by default.
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';

export const DEFAULT_VIEWS_DIR = fileURLToPath(new URL('./views/', import.meta.url));

class ThemedEta extends Eta {
  constructor(defaultDir: string, themeDir: string | undefined) {
    super({ views: defaultDir, autoEscape: true, cache: true, useWith: false, defaultExtension: '.eta' });
    const resolveDefault = this.resolvePath;
    // Look in the theme folder first; names are plain file names, never paths out of the folders.
    // Names are resolved from the folders' roots, never relative to the including template, so a theme's
    // page can include the shipped partials and layout.
    // Without a theme folder a name always resolves to the same file: remembered (the names are the shipped
    // templates', a fixed set), so a page and its includes cost no path work per request. A theme folder is
    // asked each time, so a file added to it takes effect without a restart.
    const shipped = new Map<string, string>();
    this.resolvePath = function (template) {
      const known = themeDir ? undefined : shipped.get(template);
      if (known) return known;
      const name = template.endsWith('.eta') ? template : `${template}.eta`;
      if (name.includes('..') || isAbsolute(name)) throw new Error(`bad template name ${template}`);
      const themed = themeDir ? join(themeDir, name) : undefined;
      if (themed && existsSync(themed)) return themed;
      const path = resolveDefault.call(this, name);
      if (!themeDir) shipped.set(template, path);
      return path;
    };
  }
}

export class Views {
  private readonly eta: Eta;

  constructor(options: { themeDir?: string } = {}) {
    const themeDir = options.themeDir ? resolve(options.themeDir) : undefined;
    if (themeDir && !existsSync(themeDir)) throw new Error(`[ui] theme_directory ${themeDir} does not exist`);
    this.eta = new ThemedEta(DEFAULT_VIEWS_DIR, themeDir);
  }

  render(name: string, data: object): string {
    return this.eta.render(name, data);
  }
}
