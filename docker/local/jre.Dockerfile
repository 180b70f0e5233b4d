# Stand-in for eclipse-temurin:25-jre where no registry answers: a Debian bookworm root file
# system (mmdebstrap, docker import) plus a JRE made with jlink from the JDK on the machine.
# Same layout as the public image: JAVA_HOME=/opt/java/openjdk, java on PATH.
ARG DEBIAN_IMAGE=goim-local/debian:bookworm
FROM ${DEBIAN_IMAGE}
ENV JAVA_HOME=/opt/java/openjdk
ENV PATH=/opt/java/openjdk/bin:$PATH
COPY jre /opt/java/openjdk
RUN java -version
