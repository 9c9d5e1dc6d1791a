/**
 * A CommonJS package loaded with `import()`: Node gives its exports as named bindings, an esbuild
 * chunk only as `default`. This reads them the same way in both.
 */
export function commonJs<Module extends object>(namespace: Module): Module {
  const fallback = (namespace as { default?: Module }).default
  return fallback !== undefined && typeof fallback === 'object' ? fallback : namespace
}
