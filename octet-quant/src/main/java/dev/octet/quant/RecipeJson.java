package dev.octet.quant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.octet.core.OctetException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The JSON form of a {@link Recipe}. Fields left out of a recipe file take the values of {@link
 * Recipe#defaults()}, so a file can be as short as {@code {"method": "percentile"}}; an unknown
 * field is an error (a misspelt setting must not be silently ignored).
 */
public final class RecipeJson {
  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .serializationInclusion(JsonInclude.Include.NON_NULL)
          .build();

  private RecipeJson() {}

  public static String write(Recipe r) {
    try {
      return JSON.writeValueAsString(r);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Parses a recipe; {@code source} names it in errors (a file name). */
  public static Recipe parse(String json, String source) {
    try {
      JsonNode user = JSON.readTree(json);
      if (user == null || !user.isObject()) {
        throw new OctetException(
            source + ": a recipe is a JSON object, e.g. {\"method\": \"mse\"}");
      }
      ObjectNode merged = JSON.valueToTree(Recipe.defaults());
      merged.setAll((ObjectNode) user);
      return JSON.treeToValue(merged, Recipe.class);
    } catch (JsonProcessingException e) {
      Throwable cause = e.getCause();
      if (cause instanceof OctetException oe) {
        throw new OctetException(source + ": " + oe.getMessage(), e);
      }
      throw new OctetException(source + ": not a valid recipe: " + e.getOriginalMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new OctetException(source + ": not a valid recipe: " + e.getMessage(), e);
    }
  }

  public static Recipe read(Path file) {
    try {
      return parse(Files.readString(file), file.toString());
    } catch (IOException e) {
      throw new OctetException(file + ": cannot read the recipe: " + e.getMessage(), e);
    }
  }
}
