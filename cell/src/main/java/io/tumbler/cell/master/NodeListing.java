package io.tumbler.cell.master;

import com.google.common.collect.ImmutableList;
import io.tumbler.lockservice.command.ChildEntry;
import io.tumbler.lockservice.command.Stat;
import java.util.List;

/**
 * One node as the admin tree browser shows it: its metadata, the first children in name order
 * ({@code more} if there are others), and the first bytes of its contents.
 */
public record NodeListing(
    String path, Stat stat, List<ChildEntry> children, boolean more, byte[] contentsPrefix) {
  public NodeListing {
    children = ImmutableList.copyOf(children);
    contentsPrefix = contentsPrefix.clone();
  }
}
