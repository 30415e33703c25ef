import type { ChatPoster, Platform } from "./types.ts";

/** The posters a worker can answer through, one per configured platform. */
export class PosterRegistry {
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

  platforms(): Platform[] {
    return [...this.posters.keys()];
  }
}
