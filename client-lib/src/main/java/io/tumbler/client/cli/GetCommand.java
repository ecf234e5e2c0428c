package io.tumbler.client.cli;

import io.tumbler.client.NodeContents;
import io.tumbler.client.OpenOptions;
import io.tumbler.client.TumblerClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "get",
    description = {
      "Prints a file's contents, byte for byte (no newline added).",
      "With --json: {path, contents (UTF-8 text) or contentsBase64, stat}."
    })
final class GetCommand extends CellCommand {

  @Parameters(paramLabel = "PATH", description = "The file, e.g. /ls/local/config.")
  String path;

  @Override
  public Integer call() {
    try (TumblerClient client = cli.connect()) {
      NodeContents node = client.open(path, OpenOptions.read()).getContentsAndStat();
      if (cli.json) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("path", path);
        byte[] bytes = node.bytes();
        Optional<String> text = utf8(bytes);
        if (text.isPresent()) {
          json.put("contents", text.get());
        } else {
          json.put("contentsBase64", Base64.getEncoder().encodeToString(bytes));
        }
        json.put("stat", TumblerCli.statJson(node.stat()));
        cli.printJson(json);
      } else {
        try {
          cli.out().write(node.bytes());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        cli.out().flush();
      }
    }
    return ExitCode.OK;
  }

  /** The bytes as text if they are well-formed UTF-8. */
  static Optional<String> utf8(byte[] bytes) {
    try {
      return Optional.of(
          StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString());
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }
}
