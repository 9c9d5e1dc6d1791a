/**
 * The API reference page in a real browser (Debian's chromium through playwright-core): the todo
 * service, built by the global setup and run as its own process, answers / with Swagger UI, which
 * must list every operation of the manifest without a single request leaving 127.0.0.1 and without
 * a script error or CSP violation. Screenshots land in test-artifacts/docs/.
 */
import type { ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { REPO } from '../helpers/projects.js'
import { spawnService } from '../helpers/service.js'
import { required } from '../helpers/services.js'

const CHROMIUM = '/usr/bin/chromium'

// A missing browser skips the suite visibly, or fails it when the environment promises every service.
const missing = existsSync(CHROMIUM) ? '' : `chromium is not installed at ${CHROMIUM} (apt-get install chromium)`
if (missing && required) throw new Error(`${missing}; FUSIO_REQUIRE_SERVICES=1 makes a missing browser a failure`)
if (missing) console.warn(`skipping the docs browser test: ${missing}`)

describe.skipIf(Boolean(missing))(`API reference page in chromium${missing ? ` [skipped: ${missing}]` : ''}`, () => {
  const artifacts = join(REPO, 'test-artifacts/docs')
  const requested: string[] = []
  const problems: string[] = []
  let project: string
  let srcDir: string
  let service: { child: ChildProcess; url: string; output: () => string } | undefined
  let browser: Browser
  let page: Page

  beforeAll(async () => {
    rmSync(artifacts, { recursive: true, force: true })
    mkdirSync(artifacts, { recursive: true })
    project = inject('builtExamples').todo
    srcDir = mkdtempSync(join(tmpdir(), 'fusio-docs-'))
    service = await spawnService(project, { FUSIO_DIR_SRC: srcDir, FUSIO_LOG_LEVEL: 'info' })
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] })
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' })
    // Every request is recorded; one for another host is also refused, so a test failure names it.
    await context.route(/.*/, (route) => {
      const url = route.request().url()
      requested.push(url)
      return new URL(url).hostname === '127.0.0.1' ? route.continue() : route.abort()
    })
    page = await context.newPage()
    page.setDefaultTimeout(10_000)
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`)
    })
  })

  afterAll(async () => {
    await browser?.close()
    if (service?.child.exitCode === null) {
      const exited = new Promise((resolve) => service!.child.once('exit', resolve))
      service.child.kill('SIGTERM')
      await exited
    }
    if (srcDir) rmSync(srcDir, { recursive: true, force: true })
  })

  it('renders every operation of the manifest with Swagger UI, from 127.0.0.1 only', async () => {
    const openapi = JSON.parse(readFileSync(join(project, 'dist/openapi.json'), 'utf8')) as { paths: Record<string, Record<string, { operationId: string }>> }
    const operations = Object.entries(openapi.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, id: op.operationId })))
    // examples/todo declares seven operations; the document must carry all of them.
    expect(operations.map((o) => o.id).sort()).toEqual(['todo.create', 'todo.delete', 'todo.get', 'todo.getAll', 'todo.search', 'todo.stats', 'todo.update'])

    const response = await page.goto(`${service!.url}/`)
    expect(response?.status()).toBe(200)
    expect(response?.headers()['content-type']).toBe('text/html; charset=utf-8')
    await page.locator('.opblock').first().waitFor().catch(async () => {
      await page.screenshot({ path: join(artifacts, 'failed.png'), fullPage: true })
      throw new Error(`Swagger UI did not render; problems: ${problems.join('; ') || 'none'}; the page says: ${(await page.locator('body').innerText()).slice(0, 500)}`)
    })
    await expect.poll(() => page.locator('.opblock').count(), { timeout: 5000 }).toBe(operations.length)
    await page.screenshot({ path: join(artifacts, '01-reference.png'), fullPage: true })

    expect(await page.locator('.info .title').innerText()).toContain('Todo API')
    const shown = await page.locator('.opblock-summary').evaluateAll((blocks) =>
      blocks.map((b) => `${b.querySelector('.opblock-summary-method')?.textContent?.trim()} ${b.querySelector('[data-path]')?.getAttribute('data-path')}`),
    )
    expect(shown.sort()).toEqual(operations.map((o) => `${o.method.toUpperCase()} ${o.path}`).sort())
    for (const path of ['/todo', '/todo/{id}', '/todo/stats', '/todo/search']) expect(shown.some((s) => s.endsWith(` ${path}`)), path).toBe(true)

    const hosts = new Set(requested.map((url) => new URL(url).hostname))
    expect([...hosts]).toEqual(['127.0.0.1'])
    // The page, its three files and the OpenAPI document, nothing else.
    expect([...new Set(requested.map((url) => new URL(url).pathname))].sort()).toEqual([
      '/',
      '/system/docs/docs.js',
      '/system/docs/swagger-ui-bundle.js',
      '/system/docs/swagger-ui.css',
      '/system/generator/spec-openapi',
    ])
    expect(problems).toEqual([])
  })

  it('opens an operation and shows its parameters and response schema', async () => {
    const getOne = page.locator('.opblock', { has: page.locator('[data-path="/todo/{id}"]') }).filter({ has: page.locator('.opblock-summary-method', { hasText: 'GET' }) })
    await getOne.locator('.opblock-summary').click()
    await getOne.locator('table.parameters').waitFor()
    expect(await getOne.locator('table.parameters').innerText()).toContain('id')
    await page.screenshot({ path: join(artifacts, '02-operation.png'), fullPage: true })
    expect([...new Set(requested.map((url) => new URL(url).hostname))]).toEqual(['127.0.0.1'])
    expect(problems).toEqual([])
  })
})
