// The sample's XML parser. @xmldom/xmldom is loaded by the first document parsed (the IdP's metadata, on the
// sample's first login), not when the sample starts: started beside the server, the sample loaded it on every
// start, with its table of 2,000 HTML entity names (docs/operations.md, "What loads when").
import { createRequire } from 'node:module';
import type * as Xmldom from '@xmldom/xmldom';

const PACKAGE = '@xmldom/xmldom';
let library: typeof Xmldom | undefined;

/** The parsed document, or undefined when the text is not well-formed XML. */
export function parseXml(xml: string): Document | undefined {
  // A name in a variable: esbuild leaves the package outside the bundle, loaded from node_modules when called.
  library ??= createRequire(import.meta.url)(PACKAGE) as typeof Xmldom;
  let failed = false;
  const fail = () => {
    failed = true;
  };
  const doc = new library.DOMParser({ errorHandler: { error: fail, fatalError: fail } }).parseFromString(xml, 'text/xml');
  return failed || !doc.documentElement ? undefined : doc;
}
