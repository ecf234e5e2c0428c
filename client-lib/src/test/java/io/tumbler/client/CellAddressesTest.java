package io.tumbler.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.net.HostAndPort;
import org.junit.jupiter.api.Test;

class CellAddressesTest {

  @Test
  void keepsTheGivenOrderAndToleratesSpaces() {
    CellAddresses cell = CellAddresses.parse("r1.example:7201, 127.0.0.1:7202 ,[::1]:7203");

    assertThat(cell.replicas())
        .containsExactly(
            HostAndPort.fromParts("r1.example", 7201),
            HostAndPort.fromParts("127.0.0.1", 7202),
            HostAndPort.fromParts("::1", 7203));
    assertThat(cell.socketAddresses()).allMatch(a -> a.isUnresolved());
    assertThat(cell).hasToString("r1.example:7201,127.0.0.1:7202,[::1]:7203");
  }

  @Test
  void refusesEntriesWithoutAPort() {
    assertThatThrownBy(() -> CellAddresses.parse("a:1,b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cell addresses: 'b' is not host:port");
    assertThatThrownBy(() -> CellAddresses.parse("a:1,,b:2"))
        .hasMessage("cell addresses: '' is not host:port");
    assertThatThrownBy(() -> CellAddresses.parse("a:70000"))
        .hasMessageStartingWith("cell addresses: 'a:70000' is not host:port");
  }

  @Test
  void refusesEmptyDuplicateAndOverlongLists() {
    assertThatThrownBy(() -> CellAddresses.parse(" ")).hasMessageContaining("empty");
    assertThatThrownBy(() -> CellAddresses.parse("a:1,a:1"))
        .hasMessage("cell addresses: 'a:1' is listed twice");
    String ten =
        String.join(",", java.util.stream.IntStream.range(1, 11).mapToObj(i -> "h:" + i).toList());
    assertThatThrownBy(() -> CellAddresses.parse(ten))
        .hasMessageContaining("10 replicas listed, at most 9");
  }
}
