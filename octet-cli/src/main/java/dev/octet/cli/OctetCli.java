package dev.octet.cli;

import dev.octet.core.OctetException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code ./octet}. */
@Command(
    name = "octet",
    mixinStandardHelpOptions = true,
    versionProvider = OctetCli.Version.class,
    description = "INT8 quantization toolkit and inference runtime for ONNX models.",
    subcommands = {
      InspectCommand.class,
      RunCommand.class,
      ConvertCommand.class,
      BenchCommand.class,
      QuantizeCommand.class,
      CompareCommand.class,
      EvalCommand.class,
      ReportCommand.class,
      DemoCommand.class,
      CommandLine.HelpCommand.class
    })
public final class OctetCli implements Runnable {
  /** Exit status for bad input: a corrupt model, a missing file, an unsupported op. */
  public static final int BAD_INPUT = 2;

  /** Exit status for a bug in Octet itself. */
  public static final int INTERNAL_ERROR = 3;

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }

  public static void main(String[] args) {
    System.exit(
        execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the command line with the given streams; returns the exit status. */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new OctetCli());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          if (ex instanceof OctetException) {
            err.println("octet: " + oneLine(ex.getMessage()));
            return BAD_INPUT;
          }
          err.println(
              "octet: internal error: "
                  + oneLine(String.valueOf(ex))
                  + " (please report it; set OCTET_DEBUG=1 for the stack trace)");
          if (System.getenv("OCTET_DEBUG") != null) {
            ex.printStackTrace(err);
          }
          return INTERNAL_ERROR;
        });
    return cli.execute(args);
  }

  static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s*\\R\\s*", " ");
  }

  /** Version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = OctetCli.class.getPackage().getImplementationVersion();
      return new String[] {"octet " + (v == null ? "dev" : v)};
    }
  }
}
