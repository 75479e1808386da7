// The assistant's public methods (showHelp, showArticle, ask): argument checks, then the widget. A chunk
// of its own (methods.<hash>.js), fetched by the first such call.
import { MAX_MESSAGE_LENGTH } from '../../protocol/limits.ts';
import { VeryChatError } from '../errors.ts';
import type { Feature, FeatureCall } from '../feature.ts';

// As protocol/assistant.ts and rest.ts have them (modules with zod, which the widget never loads).
const MAX_HELP_QUERY_LENGTH = 200;
const isSlug = (v: unknown): v is string => typeof v === 'string' && v.length <= 80 && /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(v);

/** The chunk for an API call: a failed download is a NETWORK error, not a bug of ours. */
const loaded = (load: () => Promise<Feature>) =>
  load().catch((e: unknown) => {
    throw new VeryChatError('NETWORK', `Could not load the assistant: ${e instanceof Error ? e.message : String(e)}`);
  });

export async function showHelp([query]: unknown[], call: FeatureCall): Promise<unknown> {
  if (query !== undefined && typeof query !== 'string') return call.misuse('showHelp(query) takes a search text (a string), or nothing for the help home.');
  if (typeof query === 'string' && query.length > MAX_HELP_QUERY_LENGTH) return call.misuse(`showHelp(query): at most ${MAX_HELP_QUERY_LENGTH} characters.`);
  const { load } = await call.ready();
  return (await loaded(load)).api!.showHelp!(query);
}

export async function showArticle([slug]: unknown[], call: FeatureCall): Promise<unknown> {
  if (!isSlug(slug)) {
    return call.misuse(`showArticle(slug) takes an article's slug, lowercase words joined by "-" (like "how-refunds-work"), got ${JSON.stringify(slug)}.`);
  }
  const { load } = await call.ready();
  return (await loaded(load)).api!.showArticle!(slug);
}

export async function ask([text]: unknown[], call: FeatureCall): Promise<unknown> {
  if (typeof text !== 'string' || !text.trim()) return call.misuse('ask(text) needs a question (a non-empty string).');
  if (text.length > MAX_MESSAGE_LENGTH) return call.misuse(`ask(text): the question is longer than ${MAX_MESSAGE_LENGTH} characters.`);
  const { load } = await call.ready();
  return (await loaded(load)).api!.ask!(text.trim());
}
