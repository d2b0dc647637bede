package dev.octet.core;

/**
 * The one exception type Octet throws for bad input: a corrupt or hostile model, an unsupported op,
 * a wrong shape, a missing file. The message names the file, node, op or tensor, says what is wrong
 * and, where it can, what to do about it. Command-line tools print the message on one line.
 */
public class OctetException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public OctetException(String message) {
    super(message);
  }

  public OctetException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Prefixes the message with a context (a file, a node) and keeps the cause. */
  public static OctetException wrap(String context, Throwable cause) {
    String msg = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    return new OctetException(context + ": " + msg, cause);
  }
}
