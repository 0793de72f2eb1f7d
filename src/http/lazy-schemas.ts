// Route schemas compiled on first use instead of when the app starts. Fastify compiles every route's validator
// (Ajv) and response serializer (fast-json-stringify) as the route is added; most of the ~300 routes are never
// called on a given node (the console, the admin APIs, SCIM, the SOAP service), and their generated code and
// sources cost about 4 MB of idle memory and part of the start-up CPU (README, "Start-up and memory"). Each
// route gets a stand-in that compiles the real function on its first call with Fastify's own compilers and the
// same options, so validation and serialization are unchanged.
//
// What a start-up compile caught (a schema Ajv refuses) is caught by compileAll(), which a test runs over every
// route of the full app (test/server/route-schemas.test.ts).
import AjvCompiler from '@fastify/ajv-compiler';
import SerializerSelector from '@fastify/fast-json-stringify-compiler';

interface RouteSchemaDefinition {
  schema: unknown;
  method?: string;
  url?: string;
  httpPart?: string;
}
type Compiled = ((...args: unknown[]) => unknown) & { errors?: unknown };
type BuildCompiler = (...options: unknown[]) => (definition: RouteSchemaDefinition) => Compiled;

declare module 'fastify' {
  interface FastifyInstance {
    /** Compiles every route schema not compiled yet (lazy-schemas.ts); the number compiled. */
    compileRouteSchemas(): number;
  }
}

export interface LazySchemaCompilers {
  /** Fastify's `schemaController.compilersFactory` option. */
  compilersFactory: { buildValidator: ReturnType<typeof AjvCompiler>; buildSerializer: ReturnType<typeof SerializerSelector> };
  /** Compiles every stand-in made so far; throws naming the route whose schema does not compile. */
  compileAll(): number;
}

export function lazySchemaCompilers(): LazySchemaCompilers {
  const pending = new Set<() => void>();
  const lazy = (factory: BuildCompiler): BuildCompiler => (...options) => {
    const build = factory(...options);
    return (definition) => {
      // With a compiler of its own, Fastify hands header schemas over without lower-casing their names, which
      // would then never match; no route validates headers (handlers read them), and one that tries fails here.
      if (definition.httpPart === 'headers') throw new Error(`${definition.method} ${definition.url}: header schemas are not supported, read the header in the handler`);
      let compiled: Compiled | undefined;
      const compile = (): Compiled => {
        if (!compiled) {
          try {
            compiled = build(definition);
          } catch (error) {
            throw new Error(`${definition.method} ${definition.url} (${definition.httpPart ?? 'response'}): ${(error as Error).message}`, { cause: error });
          }
          pending.delete(compile);
        }
        return compiled;
      };
      pending.add(compile);
      // Fastify reads a failed validation's reasons from the function's `errors`, as Ajv leaves them.
      const standIn: Compiled = (...args) => {
        const fn = compile();
        const result = fn(...args);
        standIn.errors = fn.errors;
        return result;
      };
      return standIn;
    };
  };
  return {
    compilersFactory: {
      buildValidator: lazy(AjvCompiler() as unknown as BuildCompiler) as unknown as ReturnType<typeof AjvCompiler>,
      buildSerializer: lazy(SerializerSelector() as unknown as BuildCompiler) as unknown as ReturnType<typeof SerializerSelector>,
    },
    compileAll() {
      const all = [...pending];
      for (const compile of all) compile();
      return all.length;
    },
  };
}
