package io.tracearr.analytics;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package rules of docs/architecture.md, checked on the compiled production classes: boot
 * ({@code Application}) → {@code gateway} → domain packages → base packages, and no cycle anywhere.
 * A lower package that imports a higher one fails here, naming the offending dependency.
 */
class ArchitectureTest {

  static final String ROOT = "io.tracearr.analytics";

  /** Neutral building blocks: they know nothing of the concerns built on them. */
  static final String[] BASE = {
    ROOT + ".api..",
    ROOT + ".bus..",
    ROOT + ".config..",
    ROOT + ".db..",
    ROOT + ".geo..",
    ROOT + ".metrics..",
    ROOT + ".node..",
    ROOT + ".cluster.."
  };

  /** One concern each: a verticle (or a few), its tables, its addresses. */
  static final String[] DOMAIN = {
    ROOT + ".session..",
    ROOT + ".detect..",
    ROOT + ".stats..",
    ROOT + ".media..",
    ROOT + ".notify..",
    ROOT + ".enforce..",
    ROOT + ".importer.."
  };

  static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);
  }

  @Test
  void basePackagesDependOnNoConcern() {
    noClasses()
        .that()
        .resideInAnyPackage(BASE)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(concat(DOMAIN, ROOT + ".gateway.."))
        .orShould()
        .dependOnClassesThat()
        .resideInAPackage(ROOT)
        .check(classes);
  }

  @Test
  void concernsDoNotDependOnTheGatewayOrTheBoot() {
    noClasses()
        .that()
        .resideInAnyPackage(DOMAIN)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(ROOT + ".gateway..")
        .orShould()
        .dependOnClassesThat()
        .resideInAPackage(ROOT)
        .check(classes);
  }

  @Test
  void theGatewayDoesNotDependOnTheBoot() {
    noClasses()
        .that()
        .resideInAnyPackage(ROOT + ".gateway..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage(ROOT)
        .check(classes);
  }

  @Test
  void noPackageCycles() {
    slices().matching(ROOT + ".(**)").should().beFreeOfCycles().check(classes);
  }

  /**
   * Vert.x implementation classes and Netty's channel layer are used in exactly two places, each
   * with a test that fails loudly when an upgrade changes what it relies on: the live channel's
   * adapter ({@code VertxInternalsTest}) and the contract validator ({@code
   * ContractValidationEquivalenceTest}). Netty's public utilities (NetUtil's address parsing) are
   * fine.
   */
  @Test
  void internalsOfVertxAndNettyOnlyInTheAdapter() {
    noClasses()
        .that()
        .doNotHaveFullyQualifiedName(ROOT + ".gateway.live.VertxInternals")
        .and()
        .haveNameNotMatching(ROOT.replace(".", "\\.") + "\\.gateway\\.live\\.VertxInternals\\$.*")
        .and()
        .haveNameNotMatching(ROOT.replace(".", "\\.") + "\\.gateway\\.ContractValidation.*")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.vertx..impl..", "io.netty.channel..", "io.netty.handler..", "io.netty.buffer..")
        .check(classes);
  }

  private static String[] concat(String[] a, String b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + 1);
    out[a.length] = b;
    return out;
  }
}
