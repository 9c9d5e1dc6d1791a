import { ownRabbitmq } from '../../test/helpers/own-rabbitmq.js'
import { connect } from 'amqplib'
const b = await ownRabbitmq()
console.log(b.node, b.url, b.dir)
try {
  await b.start()
  const c = await connect(b.url); const ch = await c.createConfirmChannel()
  await ch.assertQueue('q1', { durable: true })
  ch.sendToQueue('q1', Buffer.from('hello'), { persistent: true }); await ch.waitForConfirms(); await c.close()
  await b.stop()
  await b.start()
  const c2 = await connect(b.url); const ch2 = await c2.createChannel()
  const m = await ch2.get('q1', { noAck: true }); console.log('after restart:', m && m.content.toString())
  await c2.close()
} finally {
  await b.destroy()
  console.log(b.timings)
}
