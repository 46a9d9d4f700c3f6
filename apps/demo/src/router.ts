// Hash routes (#ring, #divergences, #adversarial, #parse): one page visible at a time, the nav marks
// the current one, and each page is set up the first time it is shown.
export interface Page {
  id: string;
  title: string;
  /** Runs once, the first time the page is shown. */
  open: () => void | Promise<void>;
}

export interface Router {
  /** The page shown now. */
  current(): string;
  dispose(): void;
}

/** The page named by a hash, or the first page for an empty or unknown hash. */
export function pageFromHash(hash: string, ids: readonly string[]): string {
  const id = hash.replace(/^#/, '');
  return ids.includes(id) ? id : ids[0]!;
}

/** Shows `#page-<id>` for the hash's page and hides the others; `nav` gets one link per page. */
export function startRouter(
  pages: readonly Page[],
  nav: HTMLElement,
  onError: (page: string, error: unknown) => void,
): Router {
  const ids = pages.map((p) => p.id);
  const opened = new Set<string>();
  const links = new Map<string, HTMLAnchorElement>();
  for (const p of pages) {
    const a = document.createElement('a');
    a.href = `#${p.id}`;
    a.textContent = p.title;
    links.set(p.id, a);
    nav.appendChild(a);
  }
  let shown = '';
  const show = () => {
    shown = pageFromHash(location.hash, ids);
    for (const p of pages) {
      const section = document.getElementById(`page-${p.id}`);
      if (section) section.hidden = p.id !== shown;
      const link = links.get(p.id)!;
      if (p.id === shown) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    if (!opened.has(shown)) {
      opened.add(shown);
      const page = pages.find((p) => p.id === shown)!;
      Promise.resolve()
        .then(page.open)
        .catch((e) => onError(shown, e));
    }
  };
  window.addEventListener('hashchange', show);
  show();
  return {
    current: () => shown,
    dispose: () => window.removeEventListener('hashchange', show),
  };
}
