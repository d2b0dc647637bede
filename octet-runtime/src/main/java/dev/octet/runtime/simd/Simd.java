package dev.octet.runtime.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** The SIMD switch and the preferred float vector shape of this CPU. */
public final class Simd {
  /** False when {@code -Doctet.simd=false}: every kernel then takes its scalar path. */
  public static final boolean ENABLED = !"false".equalsIgnoreCase(System.getProperty("octet.simd"));

  public static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

  private Simd() {}
}
