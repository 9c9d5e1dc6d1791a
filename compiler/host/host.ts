/**
 * Everything the compiler reads or writes goes through a Host, so stages run on a real folder
 * (node-host) or on a map of files in tests (memory-host). Paths are absolute, with forward slashes.
 */
export interface Host {
  readFile(path: string): string | undefined
  fileExists(path: string): boolean
  writeFile(path: string, contents: string): void
  /** Removes a folder and everything below it; a missing folder is fine. */
  removeDir(path: string): void
}
