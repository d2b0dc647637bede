package dev.octet.core.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AttributesTest {
  @Test
  void withPrefixKeepsOnlyThatPartNamedWithoutThePrefix() {
    Map<String, AttributeValue> m = new LinkedHashMap<>();
    m.put("strides", AttributeValue.ints(2, 2));
    m.put("pool", AttributeValue.of("MaxPool"));
    m.put("pool.strides", AttributeValue.ints(3, 3));
    m.put("pool.node", AttributeValue.of("p"));
    m.put("p0.pool.pads", AttributeValue.ints(1, 1, 1, 1));
    Attributes pool = Attributes.of(m).withPrefix("pool.");
    assertEquals(List.of("strides", "node"), List.copyOf(pool.names()));
    assertArrayEquals(new long[] {3, 3}, pool.getInts("strides"));
    assertEquals("p", pool.getString("node"));
    assertEquals(0, Attributes.of(m).withPrefix("q.").size());
  }
}
