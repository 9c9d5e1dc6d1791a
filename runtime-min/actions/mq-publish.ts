/**
 * AMQP-Publish and Beanstalk-Publish: sends the request body, as JSON, to a queue and answers 202
 * once the broker has taken the message (confirmed by RabbitMQ, INSERTED by beanstalkd). Which of
 * the two it does follows from the kind of the connection.
 */
import { FusioError } from '../errors.js'
import { isAmqpConnection } from '../connections/amqp.js'
import { isBeanstalkConnection } from '../connections/beanstalk.js'
import type { ActionDefinition } from '../types.js'

export interface MqPublishConfig {
  readonly connection: string
  readonly queue?: string
  readonly tube?: string
  readonly exchange?: string
  readonly routingKey?: string
}

const invalid = (text: string) => new FusioError('FUSIO_ERR_CONFIG_INVALID', text)

export const mqPublish: ActionDefinition<MqPublishConfig> = {
  name: 'mq-publish',
  aliases: [
    'AMQP-Publish',
    'Fusio\\Adapter\\Amqp\\Action\\AmqpPublish',
    'Beanstalk-Publish',
    'Fusio\\Adapter\\Beanstalk\\Action\\BeanstalkPublish',
    'MqAmqp',
    'MqBeanstalk',
  ],
  description: 'Publishes the request body as JSON to an AMQP queue or exchange, or a beanstalkd tube; 202 once the broker has it',
  connection: ['amqp', 'beanstalk'],
  configSchema: {
    type: 'object',
    properties: {
      connection: { type: 'string', description: 'name of an AMQP or Beanstalk connection' },
      queue: { type: 'string', minLength: 1, description: 'AMQP queue (declared durable) or beanstalkd tube' },
      tube: { type: 'string', minLength: 1, description: 'beanstalkd tube (same as queue)' },
      exchange: { type: 'string', minLength: 1, description: 'AMQP exchange; with a queue it is declared (direct, durable) and the queue bound to it' },
      routingKey: { type: 'string', description: 'AMQP routing key for the exchange (default empty)' },
    },
    required: ['connection'],
    anyOf: [{ required: ['queue'] }, { required: ['tube'] }, { required: ['exchange'] }],
    additionalProperties: false,
  },
  create(config, deps) {
    const queue = config.queue ?? config.tube
    return async (request, context) => {
      const connection = deps.connections.get(config.connection)
      // Fusio publishes the payload as JSON; a request without a body sends null.
      const body = Buffer.from(JSON.stringify(request.body ?? null))
      if (isAmqpConnection(connection)) {
        // The request id (the client's X-Request-Id when it sends one) is the message id: a retry after a
        // 504 that repeats it lets consumers drop a message that reached the queue twice.
        await connection.client.publish({ queue, exchange: config.exchange, routingKey: config.routingKey }, body, {
          contentType: 'application/json',
          messageId: context.requestId,
          headers: { 'x-fusio-operation-id': context.operationId, 'x-fusio-request-id': context.requestId },
        })
      } else if (isBeanstalkConnection(connection)) {
        if (!queue) throw invalid('a Beanstalk publish needs a tube')
        if (config.exchange !== undefined || config.routingKey !== undefined) throw invalid('exchange and routingKey apply to AMQP connections only')
        await connection.client.publish(queue, body)
      } else {
        throw invalid(`connection "${config.connection}" is neither an AMQP nor a Beanstalk connection`)
      }
      return context.response.build(202, {}, { success: true, message: 'Message successfully published' })
    }
  },
}
