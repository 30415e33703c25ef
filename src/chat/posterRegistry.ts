import type { TraitsSource } from "./platformTraits.ts";
import type { ChatPoster, Platform, PlatformTraits } from "./types.ts";

/** The posters a worker can answer through, one per configured platform, with their platforms' traits. */
export class PosterRegistry implements TraitsSource {
  private readonly posters = new Map<Platform, ChatPoster>();

  constructor(posters: ChatPoster[] = []) {
    for (const p of posters) this.posters.set(p.platform, p);
  }

  add(poster: ChatPoster): void {
    this.posters.set(poster.platform, poster);
  }

  get(platform: Platform): ChatPoster | undefined {
    return this.posters.get(platform);
  }

  /** The traits of a configured platform (its poster's). */
  traits(platform: Platform): PlatformTraits {
    const p = this.posters.get(platform);
    if (!p) throw new Error(`no chat platform "${platform}" is configured`);
    return p.traits;
  }

  platforms(): Platform[] {
    return [...this.posters.keys()];
  }
}
