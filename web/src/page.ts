// The interface between the router and a page.

export interface PageContext {
  /** Path segments after the page name, e.g. ["CHN"] for #/country/CHN. */
  rest: string[];
  /** The query of the hash, e.g. units=CHN,USA for #/compare?units=CHN,USA. */
  query: URLSearchParams;
  /** False once the user has navigated away: async work must not touch the DOM then. */
  alive: () => boolean;
}

//! Renders into `root`; may return a cleanup run when the page is left.
export type Page = (root: HTMLElement, ctx: PageContext) => void | (() => void);
