// Drafts per conversation, per agent, kept in localStorage (a reload or another conversation never loses
// one). Each remembers the last seq the agent had seen when it began: the collision warning compares to it.

export interface Draft {
  text: string;
  mode: 'reply' | 'note';
  /** The conversation's last seq when this draft began. */
  sinceSeq: number;
  updatedAt: number;
}

export interface DraftStore {
  get(conversationId: string): Draft | null;
  set(conversationId: string, draft: Draft | null): void;
}

type Storage = Pick<globalThis.Storage, 'getItem' | 'setItem' | 'removeItem'>;
const MAX_DRAFTS = 200;

export function createDrafts(agentId: string, storage: Storage | null = safeLocalStorage()): DraftStore {
  const key = `verychat-console-drafts:${agentId}`;
  let all: Record<string, Draft> = {};
  try {
    all = JSON.parse(storage?.getItem(key) ?? '{}') as Record<string, Draft>;
  } catch {
    all = {};
  }
  const save = () => {
    try {
      const ids = Object.keys(all);
      if (ids.length > MAX_DRAFTS) {
        ids.sort((a, b) => all[a]!.updatedAt - all[b]!.updatedAt);
        for (const id of ids.slice(0, ids.length - MAX_DRAFTS)) delete all[id];
      }
      if (Object.keys(all).length) storage?.setItem(key, JSON.stringify(all));
      else storage?.removeItem(key);
    } catch {
      // Full or blocked storage: drafts live in memory for this tab.
    }
  };
  return {
    get: (id) => all[id] ?? null,
    set(id, draft) {
      if (!draft || (!draft.text.trim() && draft.mode === 'reply')) delete all[id];
      else all[id] = draft;
      save();
    },
  };
}

function safeLocalStorage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}
