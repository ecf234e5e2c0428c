package io.tumbler.chaos;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import io.tumbler.client.transport.CellSession;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * Writes the clients' cache trace ({@link CellSession#CACHE_TRACE_LOGGER}: answers, KeepAlives,
 * epochs and connections of every session) to a file of the run, for as long as it is open. With
 * the replicas' own trace it explains a stale cached read after the fact (docs/testing.md).
 */
final class ClientCacheTrace implements AutoCloseable {

  static final String FILE = "client-cache-trace.log";

  private final ch.qos.logback.classic.Logger logger;
  private final FileAppender<ILoggingEvent> appender;
  private final Level levelBefore;

  private ClientCacheTrace(
      ch.qos.logback.classic.Logger logger,
      FileAppender<ILoggingEvent> appender,
      Level levelBefore) {
    this.logger = logger;
    this.appender = appender;
    this.levelBefore = levelBefore;
  }

  static ClientCacheTrace open(Path dir) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%msg%n");
    encoder.start();
    FileAppender<ILoggingEvent> appender = new FileAppender<>();
    appender.setContext(context);
    appender.setName("chaos-client-cache-trace");
    appender.setFile(dir.resolve(FILE).toString());
    appender.setEncoder(encoder);
    appender.setImmediateFlush(false); // thousands of lines a second; flushed when closed
    appender.start();
    ch.qos.logback.classic.Logger logger = context.getLogger(CellSession.CACHE_TRACE_LOGGER);
    Level before = logger.getLevel();
    logger.setAdditive(false);
    logger.addAppender(appender);
    logger.setLevel(Level.DEBUG);
    return new ClientCacheTrace(logger, appender, before);
  }

  @Override
  public void close() {
    logger.setLevel(levelBefore);
    logger.detachAppender(appender);
    appender.stop();
  }
}
