/**
 * The open editor tabs (jobs and scripts) in the main area: which are open, in what order, and which
 * becomes active when one closes.
 */

export type TabKind = "job" | "script";

export interface EditorTab {
  kind: TabKind;
  id: number;
  title: string;
  dirty?: boolean;
}

export const tabKey = (t: Pick<EditorTab, "kind" | "id">) => `${t.kind}:${t.id}`;
export const tabPath = (t: Pick<EditorTab, "kind" | "id">) => `/${t.kind === "job" ? "jobs" : "scripts"}/${t.id}`;

/** Opens a tab (or refreshes its title when it is open already), keeping the order. */
export function openTab(tabs: EditorTab[], tab: EditorTab, max = 20): EditorTab[] {
  const key = tabKey(tab);
  const index = tabs.findIndex((t) => tabKey(t) === key);
  if (index >= 0) {
    if (tabs[index].title === tab.title || !tab.title) return tabs;
    return tabs.map((t, i) => (i === index ? { ...t, title: tab.title } : t));
  }
  const next = [...tabs, tab];
  // Too many tabs: the oldest clean one goes.
  if (next.length > max) {
    const drop = next.findIndex((t) => !t.dirty);
    if (drop >= 0 && drop < next.length - 1) next.splice(drop, 1);
  }
  return next;
}

/** Closes a tab; returns the tabs left and the one to show next when the closed one was active. */
export function closeTab(tabs: EditorTab[], key: string, activeKey: string | null): { tabs: EditorTab[]; next: EditorTab | null } {
  const index = tabs.findIndex((t) => tabKey(t) === key);
  if (index < 0) return { tabs, next: tabs.find((t) => tabKey(t) === activeKey) ?? null };
  const left = tabs.filter((_, i) => i !== index);
  if (activeKey !== key) return { tabs: left, next: left.find((t) => tabKey(t) === activeKey) ?? null };
  return { tabs: left, next: left[index] ?? left[index - 1] ?? null };
}

export function updateTab(tabs: EditorTab[], key: string, patch: Partial<EditorTab>): EditorTab[] {
  let changed = false;
  const next = tabs.map((t) => {
    if (tabKey(t) !== key) return t;
    const merged = { ...t, ...patch };
    if (merged.title === t.title && merged.dirty === t.dirty) return t;
    changed = true;
    return merged;
  });
  return changed ? next : tabs;
}

/** The tab a location shows, from its path (`/jobs/12`, `/scripts/3`). */
export function tabFromPath(pathname: string): Pick<EditorTab, "kind" | "id"> | null {
  const m = /^\/(jobs|scripts)\/(\d+)\/?$/.exec(pathname);
  return m ? { kind: m[1] === "jobs" ? "job" : "script", id: Number(m[2]) } : null;
}
