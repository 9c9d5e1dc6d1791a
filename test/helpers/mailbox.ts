/** A real SMTP server on a free local port (smtp-server), keeping every mail it receives for tests to read. */
import { SMTPServer } from 'smtp-server'

export interface ReceivedMail {
  readonly from: string
  readonly to: readonly string[]
  readonly raw: string
  /** The text body, with quoted-printable soft breaks and escapes undone. */
  readonly text: string
}

export interface Mailbox {
  /** smtp://127.0.0.1:<port>, for FUSIO_MAIL_URL. */
  readonly url: string
  readonly mails: ReceivedMail[]
  /** The next mail to this address after the call: call it before what sends the mail (waits up to `timeoutMs`). */
  next(to: string, timeoutMs?: number): Promise<ReceivedMail>
  close(): Promise<void>
}

function decode(raw: string): string {
  const [, ...body] = raw.split(/\r?\n\r?\n/)
  const text = body.join('\n\n')
  if (!/content-transfer-encoding:\s*quoted-printable/i.test(raw)) return text
  return text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)))
}

export async function startMailbox(): Promise<Mailbox> {
  const mails: ReceivedMail[] = []
  const waiting: { to: string; resolve: (mail: ReceivedMail) => void }[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8')
        const mail = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          text: decode(raw),
        }
        mails.push(mail)
        for (const waiter of [...waiting]) {
          if (mail.to.includes(waiter.to)) {
            waiting.splice(waiting.indexOf(waiter), 1)
            waiter.resolve(mail)
          }
        }
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.server.address() as { port: number }).port
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    next(to, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no mail to ${to} within ${timeoutMs} ms`)), timeoutMs)
        waiting.push({
          to,
          resolve: (mail) => {
            clearTimeout(timer)
            resolve(mail)
          },
        })
      })
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
