/**
 * The publisher context as the bots context calls it over the bus (NATS in the bot service, the
 * in-process bus in the monolith): the main bot's channel, post and story commands, and child
 * bots' business connections. Each request is routed by the Telegram id it acts for, like the
 * payments desk, so during the publisher's canary one user's conversation stays on one side.
 */
import type { Bus } from '@nova/bus';
import type { BusinessConnection } from '@nova/contracts';
import type { HandlerContext } from '@nova/domain';
import { toDomainError } from '@nova/wiring';
import type { BusinessConnectionSink, PublisherDesk } from '../domain/index.js';

type DeskMethod = keyof PublisherDesk;

export class BusPublisherDesk implements PublisherDesk, BusinessConnectionSink {
  readonly link_channel: PublisherDesk['link_channel'];
  readonly unlink_channel: PublisherDesk['unlink_channel'];
  readonly list_channels: PublisherDesk['list_channels'];
  readonly create_post: PublisherDesk['create_post'];
  readonly update_post: PublisherDesk['update_post'];
  readonly list_posts: PublisherDesk['list_posts'];
  readonly cancel_post: PublisherDesk['cancel_post'];
  readonly post_story: PublisherDesk['post_story'];
  readonly list_stories: PublisherDesk['list_stories'];

  constructor(private readonly bus: Pick<Bus, 'request'>) {
    this.link_channel = this.via('link_channel');
    this.unlink_channel = this.via('unlink_channel');
    this.list_channels = this.via('list_channels');
    this.create_post = this.via('create_post');
    this.update_post = this.via('update_post');
    this.list_posts = this.via('list_posts');
    this.cancel_post = this.via('cancel_post');
    this.post_story = this.via('post_story');
    this.list_stories = this.via('list_stories');
  }

  /** A business connection is routed by the business account's user (both sides share the table). */
  async record(connection: BusinessConnection, _ctx: HandlerContext): Promise<void> {
    try {
      await this.bus.request('svc.publisher.record_business_connection', { connection }, { routingKey: connection.userTelegramId });
    } catch (error) {
      throw toDomainError(error);
    }
  }

  private via<M extends DeskMethod>(method: M): PublisherDesk[M] {
    const subject = `svc.publisher.${method}` as const;
    const call = async (request: Parameters<PublisherDesk[M]>[0]): Promise<Awaited<ReturnType<PublisherDesk[M]>>> => {
      try {
        // Every desk request names its owner: the routing key of the publisher's canary.
        return (await this.bus.request(subject, request as never, { routingKey: request.ownerTelegramId })) as Awaited<ReturnType<PublisherDesk[M]>>;
      } catch (error) {
        throw toDomainError(error);
      }
    };
    return call as unknown as PublisherDesk[M];
  }
}
