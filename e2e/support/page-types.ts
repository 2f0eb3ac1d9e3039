/**
 * The few DOM shapes the tests read inside `page.evaluate` (the node tsconfig has no DOM library, and
 * adding it would let main-process code use DOM globals unnoticed). Use as
 * `const w = globalThis as unknown as PageWindow` inside the evaluated function.
 */
export interface PageVideo {
  videoWidth: number;
  videoHeight: number;
  paused: boolean;
  readyState: number;
}

export interface PageCanvas {
  width: number;
  height: number;
  getContext(
    kind: '2d',
  ): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
}

export interface PageWindow {
  document: { querySelector(selector: string): unknown; documentElement: { lang: string } };
  getComputedStyle(element: unknown): { transform: string; objectFit: string };
}
