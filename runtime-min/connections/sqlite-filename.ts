/** Doctrine-style URLs: `sqlite::memory:`, `sqlite:///relative.db`, `sqlite:////absolute/path.db`. */
export function sqliteFilename(url: string): string {
  const rest = url.replace(/^sqlite:/i, '')
  if (rest === ':memory:' || rest === '///:memory:' || rest === '//:memory:') return ':memory:'
  if (rest.startsWith('///')) return decodeURIComponent(rest.slice(3))
  if (rest.startsWith('//')) return decodeURIComponent(rest.slice(2))
  return decodeURIComponent(rest)
}
