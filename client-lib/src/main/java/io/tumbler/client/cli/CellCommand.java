package io.tumbler.client.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.ParentCommand;

/** A subcommand: the global options are its parent's. */
abstract class CellCommand implements Callable<Integer> {

  @ParentCommand TumblerCli cli;
}
