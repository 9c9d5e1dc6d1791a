/**
 * Account mails (activation, password reset) over SMTP with nodemailer: FUSIO_MAIL_URL
 * (smtp://user:pass@host:587, smtps://…), sender from config `mail_sender` or FUSIO_MAIL_FROM.
 * Without FUSIO_MAIL_URL, outside production, mails are written to the log instead, so a local
 * project works without a mail server; in production that is a start-up error.
 */
import type { FastifyBaseLogger } from 'fastify'
import { FusioError } from '../errors.js'
import { commonJs } from '../interop.js'

export interface Mail {
  readonly to: string
  readonly subject: string
  readonly text: string
}

export interface Mailer {
  send(mail: Mail): Promise<void>
  close(): void
}

export function createMailer(env: Readonly<Record<string, string | undefined>>, sender: string | undefined, log: FastifyBaseLogger): Mailer {
  const from = sender || env.FUSIO_MAIL_FROM || 'no-reply@localhost'
  const url = env.FUSIO_MAIL_URL
  if (!url) {
    if (env.NODE_ENV === 'production') throw new FusioError('FUSIO_ERR_CONFIG_MISSING_ENV', 'the product layer needs FUSIO_MAIL_URL (smtp://…) to send account mails')
    log.warn('FUSIO_MAIL_URL is not set: account mails are written to this log instead of being sent')
    return {
      async send(mail) {
        log.warn({ mail: { from, ...mail } }, 'mail not sent (no FUSIO_MAIL_URL)')
      },
      close() {},
    }
  }
  let transport: Promise<import('nodemailer').Transporter> | undefined
  const open = () =>
    (transport ??= import('nodemailer').then((module) => {
      // nodemailer is CommonJS: its exports arrive as `default` in a bundle chunk.
      return commonJs(module).createTransport(url)
    }))
  return {
    async send(mail) {
      try {
        await (await open()).sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text })
      } catch (error) {
        throw new FusioError('FUSIO_ERR_MAIL_UNAVAILABLE', 'the mail could not be sent; try again later', { cause: error })
      }
    },
    close() {
      void transport?.then((t) => t.close())
    },
  }
}
