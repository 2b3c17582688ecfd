import { Injectable, Logger, Module, OnModuleInit } from '@nestjs/common';
import { bootstrapService } from './bootstrap';

// How long the provider's start-up takes after its first log line: long enough that a
// line stamped when the server starts listening is told apart from one stamped when logged.
const INIT_MS = 400;

let loggedAt = 0;

@Injectable()
class SlowStart implements OnModuleInit {
  private readonly logger = new Logger('SlowStart');

  async onModuleInit(): Promise<void> {
    loggedAt = Date.now();
    this.logger.log('connecting');
    await new Promise((resolve) => setTimeout(resolve, INIT_MS));
  }
}

@Module({ providers: [SlowStart] })
class SlowStartModule {}

describe('bootstrapService logs', () => {
  it('stamps a start-up line with the time it was logged, not the time the server listened', async () => {
    const lines: Array<{ message: unknown; timestamp: number }> = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(JSON.parse(String(chunk)));
      return true;
    });
    // Port 0: the operating system picks a free one.
    const app = await bootstrapService(SlowStartModule, 'test', () => 0).finally(() => write.mockRestore());
    await app.close();
    const connecting = lines.find((l) => l.message === 'connecting');
    const listening = lines.find((l) => (l.message as { message?: string }).message === 'test listening');
    expect(connecting).toBeDefined();
    expect(listening).toBeDefined();
    // Within 100 ms of the log call (the line is written synchronously); the listening
    // line comes at least INIT_MS later.
    expect(Math.abs(connecting!.timestamp - loggedAt)).toBeLessThan(100);
    expect(listening!.timestamp - connecting!.timestamp).toBeGreaterThanOrEqual(INIT_MS);
  });
});
