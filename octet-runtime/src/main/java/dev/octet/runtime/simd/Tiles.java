package dev.octet.runtime.simd;

import dev.octet.runtime.kernel.ExecContext;
import java.util.function.Supplier;

/**
 * The tile schedule of the packed GEMMs ({@link Sgemm}, {@link Igemm}): C is cut into (B panel, row
 * block) tiles; panels are taken in groups of about 512 KB of packed B, which stay in L2 while
 * every row block passes (or, with few row blocks, panel by panel: see {@link
 * #PANEL_MAJOR_BLOCKS}). Every C element belongs to one tile, so results do not depend on how the
 * tiles are spread over threads.
 */
final class Tiles {
  /** The work of one tile. */
  @FunctionalInterface
  interface Body {
    void tile(int panel, int block);
  }

  private Tiles() {}

  /**
   * Up to this many row blocks, tiles go panel by panel (every row block of a panel, then the next
   * panel): all of A stays in L2, and a parallel chunk of tiles covers whole panels, so each B
   * panel (a weight, streamed from memory) is fetched by one core only. With more row blocks, tiles
   * go block by block through a group of panels, which then stays in L2 while the block passes.
   * all-MiniLM-L6-v2 at batch 1 (2 row blocks) on two threads: GEMMs 4% faster; at batch 8 (16
   * blocks) panel by panel was 2-3% slower on one thread.
   */
  static final int PANEL_MAJOR_BLOCKS = 4;

  /**
   * Runs every tile in parallel (one thread below 2^20 multiply-adds); each parallel task gets its
   * own body from {@code perTask}, so scratch arrays live in the body.
   *
   * @param panelBytes bytes of one packed B panel
   */
  static void run(
      ExecContext ctx,
      long work,
      int m,
      int rowsPerBlock,
      int panels,
      long panelBytes,
      Supplier<Body> perTask) {
    int blocks = (m + rowsPerBlock - 1) / rowsPerBlock;
    // an empty inner dimension (K = 0, which ONNX allows) has empty panels: one group
    int group = (int) Math.max(1, Math.min(panels, (512 * 1024) / Math.max(1, panelBytes)));
    // full groups of panels, then a last, smaller one: only real tiles are counted, so that the
    // parallel chunks carry equal work (counting the missing panels of the last group as tiles
    // gave some chunks a quarter of the work of others: 16 real tiles of 28 on MiniLM's N = 384)
    int full = panels / group;
    int last = panels % group;
    int inFull = full * blocks * group;
    int tiles = blocks * panels;
    boolean panelMajor = blocks <= PANEL_MAJOR_BLOCKS;
    ctx.parallelFor(
        tiles,
        work < Sgemm.PARALLEL_MACS ? tiles : 1,
        (t0, t1) -> {
          Body body = perTask.get();
          for (int t = t0; t < t1; t++) {
            if (panelMajor) {
              // groups do not change a panel-by-panel order
              body.tile(t / blocks, t % blocks);
            } else if (t < inFull) {
              int r = t % (blocks * group);
              body.tile((t / (blocks * group)) * group + r % group, r / group);
            } else {
              int r = t - inFull;
              body.tile(full * group + r % last, r / last);
            }
          }
        });
  }
}
