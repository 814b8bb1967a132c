/**
 * The worker of a publication's durable work item (nova.publisher.publication_requested, written
 * by startPublication in the transaction that makes the post PUBLISHING). One replica takes it,
 * broadcasts, and acknowledges it when every channel is settled; a transient failure (a bot's
 * circuit open, a 429 beyond what the client waits out, rows still held by a sender that died)
 * throws a retryable error and the bus redelivers it after its backoff; a replica that dies
 * mid-broadcast stops acknowledging, and the item goes to another one (or to this one restarted),
 * which resumes with the rows no one sent. A post cancelled or already published acknowledges it.
 */
import type { EventMessage } from '@nova/contracts';
import { FailedPreconditionError, NotFoundError } from '@nova/domain';
import { publishPost, type PublishDeps } from './publish.js';

/** `stopping` aborts at a graceful stop: no new batch is claimed, and the item is retried (by another replica). */
export type PublicationWorker = (request: EventMessage<'nova.publisher.publication_requested'>, stopping?: AbortSignal) => Promise<void>;

export function publicationWorker(deps: PublishDeps): PublicationWorker {
  return async (request, stopping) => {
    try {
      await publishPost(deps, request.postId, stopping);
    } catch (error) {
      // Nothing left to do for this item: the post went away or was never to be published.
      if (error instanceof NotFoundError || error instanceof FailedPreconditionError) return;
      throw error;
    }
  };
}
